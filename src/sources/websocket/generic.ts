// Any JSON over WebSocket, mapped to the model by the profile's field mapping (see ../generic-mapping.ts).
// An optional `subscribeMessage` is sent after every (re)connect, for servers that want a subscription frame.
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { SourceContext } from '../../core/source/source';
import { GenericMapper } from '../generic-mapping';
import { WebSocketSource } from './websocket-source';

export class GenericWsSource extends WebSocketSource {
  private readonly mapper: GenericMapper;

  constructor(profile: ConnectionProfile) {
    super(profile, 'generic');
    this.mapper = new GenericMapper(profile.id, this.options.mapping ?? {}, this.previewChars());
  }

  protected override async handshake(): Promise<void> {
    const message = this.options.subscribeMessage;
    if (message !== undefined) this.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  protected override onText(text: string, ctx: SourceContext): void {
    const message = this.parseJson(text, ctx);
    if (message === undefined) return;
    const result = this.mapper.map(message, text, ctx.now());
    if (!result.ok) {
      ctx.reject(result.kind, result.detail);
      return;
    }
    for (const event of result.events) this.push(event);
  }
}
