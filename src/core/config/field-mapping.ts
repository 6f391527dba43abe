// The field mapping of generic sources (WebSocket, MQTT): which field of a JSON message means what, as dot
// paths (`data.job.id`, `items.0.state`). One schema for every transport, so a profile reads the same
// whichever transport carries it; unknown keys are reported (a typo must not silently map nothing).
import { z } from 'zod';

const dotPath = z.string().min(1).max(200);

export const fieldMappingSchema = z.strictObject({
  /** Array inside each message whose elements are the records (default: the message itself). WebSocket. */
  items: dotPath.optional(),
  taskId: dotPath.optional(),
  status: dotPath.optional(),
  worker: dotPath.optional(),
  /** The worker's own status (MQTT heartbeats), when it differs from the task status. */
  workerStatus: dotPath.optional(),
  queue: dotPath.optional(),
  name: dotPath.optional(),
  workflowId: dotPath.optional(),
  error: dotPath.optional(),
  timestamp: dotPath.optional(),
  /** Series name of a metric sample; a constant name when it starts with `=` (e.g. `=temperature`). */
  metric: dotPath.optional(),
  /** Numeric value of a metric sample. */
  value: dotPath.optional(),
  /** Synonyms of `metric` and `value`, as earlier MQTT profiles wrote them. */
  metricName: dotPath.optional(),
  metricValue: dotPath.optional(),
  /** Message kind, kept as the name of generic events. */
  eventType: dotPath.optional(),
});

export type FieldMapping = z.infer<typeof fieldMappingSchema>;
