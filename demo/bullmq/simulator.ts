// BullMQ traffic for the demo and the tests: real bullmq v5 and v6 queues, workers, flows and a job scheduler,
// seeded with a deterministic history, then either frozen (live: false) or kept busy (live: true).
import * as bullmq5 from 'bullmq5';
import * as bullmq6 from 'bullmq6';

export interface BullmqSimulatorOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`. */
  readonly redisUrl: string;
  /** BullMQ key prefix; default `bull`. */
  readonly prefix?: string;
  /** true (default): keep producing and processing; false: seed a stable state, then close every worker. */
  readonly live?: boolean;
  readonly log?: (msg: string) => void;
}

export interface BullmqSimulator {
  readonly queueNames: string[];
  /** Stops producers, closes workers (letting active jobs finish), queues and the flow producer. Idempotent. */
  stop(): Promise<void>;
}

/** The demo queues and the bullmq major that writes each, so readers can tell v5 and v6 apart. */
export const BULLMQ_DEMO_QUEUES: readonly { readonly name: string; readonly major: 5 | 6; readonly about: string }[] = [
  { name: 'email', major: 5, about: 'transactional mail: retries on greylisting, bounces, a job scheduler, delayed reminders' },
  { name: 'image-resize', major: 5, about: 'progress and logs per job, priorities (frozen demo: a job left active by a crashed worker)' },
  { name: 'payments', major: 5, about: 'card charges: declines, retries with backoff, a retry waiting out a long backoff' },
  { name: 'reports', major: 5, about: 'paused with reports waiting' },
  { name: 'webhooks', major: 5, about: 'outbound HTTP with exponential backoff and a rate-limited worker' },
  { name: 'notifications', major: 6, about: 'push and SMS, written by bullmq v6' },
  { name: 'orders', major: 5, about: 'flow parents: one fulfilled, one stuck in waiting-children behind a declined charge' },
];

const KEEP_JOBS = { count: 5000 } as const;
const SETTLE_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;
// Live mode aims at a few jobs per second overall: one job every 200–650 ms plus an order flow every ~15 s.
const LIVE_TICK_MS = { min: 200, max: 650 } as const;
const LIVE_FLOW_EVERY_MS = 15_000;

type Major = 5 | 6;
type JobState = string;

interface JobDraftOptions {
  jobId?: string;
  lifo?: boolean;
  priority?: number;
  delay?: number;
  attempts?: number;
  backoff?: { type: 'fixed' | 'exponential'; delay: number };
  removeOnComplete?: { count: number };
  removeOnFail?: { count: number };
}

interface JobDraft {
  readonly name: string;
  readonly data: Record<string, unknown>;
  readonly opts?: JobDraftOptions;
}

/** The slice of a bullmq Job (v5 or v6) the processors use. */
interface SimJob {
  readonly id?: string;
  readonly name: string;
  // bullmq types job data as `any`; each processor narrows it to its own payload shape.
  readonly data: Record<string, unknown>;
  readonly attemptsMade: number;
  log(row: string): Promise<number>;
  updateProgress(progress: number): Promise<void>;
  getChildrenValues(): Promise<Record<string, unknown>>;
}

/** The slice of a bullmq Queue (v5 or v6) the simulator uses. */
interface SimQueue {
  readonly name: string;
  add(name: string, data: unknown, opts?: JobDraftOptions): Promise<{ id?: string }>;
  getJobState(id: string): Promise<JobState>;
  getJobCountByTypes(...types: ('waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'prioritized' | 'waiting-children')[]): Promise<number>;
  upsertJobScheduler(id: string, repeat: { every?: number; pattern?: string }, template: { name: string; data: unknown; opts?: JobDraftOptions }): Promise<unknown>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  isPaused(): Promise<boolean>;
  close(): Promise<void>;
  disconnect(): Promise<void>;
}

interface Closeable {
  close(): Promise<void>;
  disconnect(): Promise<void>;
}

interface WorkContext {
  readonly rng: Rng;
  /** Total processing time for one job: 50–2000 ms live, a few ms while seeding. */
  duration(): number;
  sleep(ms: number): Promise<void>;
  /** A failure bullmq will not retry (both majors recognise their own UnrecoverableError). */
  unrecoverable(message: string): Error;
}

type Processor = (job: SimJob, ctx: WorkContext) => Promise<unknown>;

interface QueueSpec {
  readonly name: string;
  readonly major: Major;
  readonly workers: readonly { readonly name: string; readonly concurrency: number }[];
  readonly limiter?: { readonly max: number; readonly duration: number };
  readonly process: Processor;
  /** Share of live traffic, and how to make one live job; absent = not fed live. */
  readonly live?: { readonly weight: number; make(rng: Rng): JobDraft };
}

/** Starts the simulator; resolves once the seeded history is in place (and, with live: false, frozen). */
export async function startBullmqSimulator(opts: BullmqSimulatorOptions): Promise<BullmqSimulator> {
  const prefix = opts.prefix ?? 'bull';
  const live = opts.live ?? true;
  const log = opts.log ?? (() => undefined);
  const connection = connectionFromUrl(opts.redisUrl);
  const specs = queueSpecs();
  const queueNames = specs.map((s) => s.name);
  const resources = new ResourceSet(log);
  const reportError = onceEach(log);

  try {
    const queues = new Map<string, SimQueue>();
    for (const spec of specs) {
      const options = { connection, prefix, defaultJobOptions: { removeOnComplete: KEEP_JOBS, removeOnFail: KEEP_JOBS } };
      const queue = spec.major === 5 ? new bullmq5.Queue(spec.name, options) : new bullmq6.Queue(spec.name, options);
      queue.on('error', (err: Error) => reportError(`queue ${spec.name}: ${err.message}`));
      resources.add(`queue ${spec.name}`, queue);
      queues.set(spec.name, queue);
    }
    const flows = new bullmq5.FlowProducer({ connection, prefix });
    flows.on('error', (err: Error) => reportError(`flow producer: ${err.message}`));
    resources.add('flow producer', flows);
    const q = (name: string): SimQueue => {
      const queue = queues.get(name);
      if (!queue) throw new Error(`unknown demo queue ${name}`);
      return queue;
    };

    const existing = await Promise.all([...queues.values()].map((queue) => queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children')));
    if (existing.some((n) => n > 0)) {
      log(`note: the demo queues under prefix "${prefix}" already hold jobs; counts will include them`);
    }
    // A previous run left `reports` paused; its history must run before it is paused again.
    if (await q('reports').isPaused()) await q('reports').resume();

    // Durations never decide outcomes (the job data does), so live randomness cannot break the seeded state.
    // History is written at seeding pace (a few ms per job); realistic durations start once traffic goes live.
    const pace = { realistic: false };
    const ctx: WorkContext = {
      rng: new Rng(live ? Date.now() : 7),
      duration: () => (pace.realistic ? ctx.rng.int(50, 2000) : ctx.rng.int(2, 20)),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.round(ms)))),
      unrecoverable: (message) => new bullmq5.UnrecoverableError(message),
    };
    const ctx6: WorkContext = { ...ctx, unrecoverable: (message) => new bullmq6.UnrecoverableError(message) };

    const workers: { readonly label: string; readonly worker: Closeable }[] = [];
    for (const spec of specs) {
      for (const w of spec.workers) {
        const workerOptions = {
          connection,
          prefix,
          name: w.name,
          concurrency: w.concurrency,
          limiter: spec.limiter ? { ...spec.limiter } : undefined,
          metrics: { maxDataPoints: spec.major === 5 ? bullmq5.MetricsTime.ONE_WEEK : bullmq6.MetricsTime.ONE_WEEK },
        };
        const worker =
          spec.major === 5
            ? new bullmq5.Worker(spec.name, (job: bullmq5.Job) => spec.process(job, ctx), workerOptions)
            : new bullmq6.Worker(spec.name, (job: bullmq6.Job) => spec.process(job, ctx6), workerOptions);
        worker.on('error', (err: Error) => reportError(`worker ${w.name}: ${err.message}`));
        workers.push({ label: `worker ${w.name}`, worker });
      }
    }
    resources.addWorkers(workers);

    // History: jobs that run to a final state, with job ids fixed by the order of these awaited adds.
    const expectations: Expectation[] = [];
    const seed = new Rng(20261122);
    for (const spec of specs) {
      for (const item of historyFor(spec.name, seed)) {
        const job = await q(spec.name).add(item.draft.name, item.draft.data, item.draft.opts);
        expectations.push({ queue: q(spec.name), id: requireId(job), state: item.expect });
      }
    }
    for (const order of [seededOrder('order-1001', 'tok_visa', seed), seededOrder('order-1002', 'tok_chargeDeclinedInsufficientFunds', seed)]) {
      await flows.add(orderFlow(order, false));
      expectations.push(
        { queue: q('payments'), id: `${order.orderId}-charge`, state: order.card === 'tok_visa' ? 'completed' : 'failed' },
        { queue: q('email'), id: `${order.orderId}-receipt`, state: 'completed' },
        { queue: q('image-resize'), id: `${order.orderId}-invoice`, state: 'completed' },
        { queue: q('orders'), id: order.orderId, state: order.card === 'tok_visa' ? 'completed' : 'waiting-children' },
      );
    }
    await settle(expectations, SETTLE_TIMEOUT_MS);
    log(`bullmq: seeded history on ${queueNames.length} queues`);

    if (!live) await resources.closeWorkers();

    // Resting state: jobs that wait, are delayed, prioritized or paused (and, frozen, one orphaned active job).
    for (const draft of restingJobs('email', seed)) await q('email').add(draft.name, draft.data, draft.opts);
    await q('email').upsertJobScheduler(
      'digest',
      live ? { every: 30_000 } : { pattern: '0 7 * * 1' },
      { name: 'send-digest', data: { audience: 'weekly-subscribers', template: 'digest' }, opts: { removeOnComplete: KEEP_JOBS, removeOnFail: KEEP_JOBS } },
    );
    if (!live) await leaveJobActive(q('image-resize'), { connection, prefix });
    for (const name of ['image-resize', 'payments', 'notifications']) {
      for (const draft of restingJobs(name, seed)) await q(name).add(draft.name, draft.data, draft.opts);
    }
    await q('reports').pause();
    for (const draft of restingJobs('reports', seed)) await q('reports').add(draft.name, draft.data, draft.opts);

    if (!live) {
      await resources.closeAll();
      log('bullmq: stable state written; workers and producers closed');
      return { queueNames, stop: async () => undefined };
    }

    pace.realistic = true;
    const producer = new LiveProducer(specs, queues, flows, ctx.rng, reportError);
    producer.start();
    log(`bullmq: live traffic on ${queueNames.join(', ')}`);
    let stopping: Promise<void> | undefined;
    return {
      queueNames,
      stop: () => {
        stopping ??= (async () => {
          await producer.stop();
          await resources.closeAll();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await resources.closeAll();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The queues: who works on them and what their jobs do

function queueSpecs(): QueueSpec[] {
  return [
    {
      name: 'email',
      major: 5,
      workers: [
        { name: 'email-1', concurrency: 3 },
        { name: 'email-2', concurrency: 3 },
      ],
      process: processEmail,
      live: { weight: 30, make: liveEmail },
    },
    {
      name: 'image-resize',
      major: 5,
      workers: [{ name: 'image-resize-1', concurrency: 2 }],
      process: processImage,
      live: { weight: 20, make: liveImage },
    },
    {
      name: 'payments',
      major: 5,
      workers: [{ name: 'payments-1', concurrency: 2 }],
      process: processPayment,
      live: { weight: 10, make: livePayment },
    },
    {
      name: 'reports',
      major: 5,
      workers: [{ name: 'reports-1', concurrency: 1 }],
      process: processReport,
      // Not fed live: the queue stays paused, so anything added would pile up for the whole demo.
    },
    {
      name: 'webhooks',
      major: 5,
      workers: [{ name: 'webhooks-1', concurrency: 4 }],
      limiter: { max: 20, duration: 1000 },
      process: processWebhook,
      live: { weight: 25, make: liveWebhook },
    },
    {
      name: 'notifications',
      major: 6,
      workers: [{ name: 'notifications-1', concurrency: 3 }],
      process: processNotification,
      live: { weight: 15, make: liveNotification },
    },
    {
      name: 'orders',
      major: 5,
      workers: [{ name: 'orders-1', concurrency: 2 }],
      process: processOrder,
    },
  ];
}

async function processEmail(job: SimJob, ctx: WorkContext): Promise<unknown> {
  const to = str(job.data['to']);
  const template = str(job.data['template'], 'transactional');
  const total = ctx.duration();
  if (!to) {
    // A scheduler run: one digest fan-out, no single recipient.
    await job.log(`Building ${template} for audience ${str(job.data['audience'], 'all')}`);
    await ctx.sleep(total);
    const recipients = ctx.rng.int(900, 1400);
    await job.log(`Queued ${recipients} messages with the mail provider`);
    return { recipients };
  }
  await job.log(`Rendering template "${template}" for ${to}`);
  await ctx.sleep(total / 2);
  const domain = to.slice(to.indexOf('@') + 1);
  await job.log(`Connecting to mx.${domain}:25`);
  await ctx.sleep(total / 2);
  if (domain === 'bounce.example') {
    throw ctx.unrecoverable(`550 5.1.1 <${to}>: Recipient address rejected: User unknown in virtual mailbox table`);
  }
  if (domain === 'greylist.example' && job.attemptsMade === 0) {
    throw new Error(`451 4.7.1 <${to}>: Recipient address rejected: Greylisted, please try again later`);
  }
  if (domain === 'mx-down.example') throw new Error(`connect ECONNREFUSED 10.20.4.12:25 (mx.${domain})`);
  const messageId = `<${ctx.rng.hex(16)}@mail.taskscope.example>`;
  await job.log(`250 2.0.0 Ok: queued as ${messageId}`);
  return { messageId, accepted: [to] };
}

async function processImage(job: SimJob, ctx: WorkContext): Promise<unknown> {
  const source = str(job.data['source']);
  const format = str(job.data['format'], 'image/jpeg');
  const targets = Array.isArray(job.data['targets']) ? (job.data['targets'] as { w: number; h: number }[]) : [];
  const total = ctx.duration();
  await job.log(`Fetching ${source} (${format}, ${formatBytes(num(job.data['bytes']))})`);
  await job.updateProgress(10);
  await ctx.sleep(total / 4);
  if (format === 'image/heic') throw ctx.unrecoverable(`Unsupported image format: ${format}`);
  if (source.endsWith('.corrupt.jpg')) throw new Error('VipsJpeg: Premature end of JPEG file');
  const outputs: string[] = [];
  for (const [i, t] of targets.entries()) {
    await ctx.sleep((total * 3) / 4 / Math.max(1, targets.length));
    const out = `${source.replace(/\.[a-z]+$/i, '')}-${t.w}x${t.h}.webp`;
    outputs.push(out);
    await job.log(`Resized to ${t.w}x${t.h} → ${out}`);
    await job.updateProgress(Math.round(10 + (90 * (i + 1)) / targets.length));
  }
  return { outputs };
}

async function processPayment(job: SimJob, ctx: WorkContext): Promise<unknown> {
  const card = str(job.data['source']);
  const amount = num(job.data['amount']);
  const currency = str(job.data['currency'], 'EUR');
  await job.log(`${job.name}: ${formatMoney(amount, currency)} for ${str(job.data['orderId'], '?')} with ${card}`);
  await ctx.sleep(ctx.duration());
  if (card === 'tok_chargeDeclinedInsufficientFunds') throw ctx.unrecoverable('Your card has insufficient funds. (card_declined: insufficient_funds)');
  if (card === 'tok_chargeDeclined') throw ctx.unrecoverable('Your card was declined. (card_declined: generic_decline)');
  if (card === 'tok_processingError') throw new Error('An error occurred while processing your card. Try again in a little bit. (processing_error)');
  if (card === 'tok_timeoutOnce' && job.attemptsMade === 0) throw new Error('Request to api.payments.example timed out after 10000 ms (ETIMEDOUT)');
  const charge = `ch_${ctx.rng.hex(12)}`;
  await job.log(`Captured ${charge}`);
  return { charge, amount, currency, status: 'succeeded' };
}

async function processReport(job: SimJob, ctx: WorkContext): Promise<unknown> {
  const steps = ['querying warehouse', 'aggregating', 'rendering PDF', 'uploading'];
  const total = ctx.duration();
  for (const [i, step] of steps.entries()) {
    await job.log(`${str(job.data['report'])}: ${step}`);
    await ctx.sleep(total / steps.length);
    await job.updateProgress(Math.round((100 * (i + 1)) / steps.length));
  }
  return { url: `https://reports.example/${str(job.data['report'])}/${ctx.rng.hex(8)}.pdf`, rows: ctx.rng.int(1_000, 90_000) };
}

async function processWebhook(job: SimJob, ctx: WorkContext): Promise<unknown> {
  const endpoint = str(job.data['endpoint']);
  const host = new URL(endpoint).host;
  await job.log(`POST ${endpoint} (${str(job.data['event'])}), attempt ${job.attemptsMade + 1}`);
  await ctx.sleep(ctx.duration());
  if (host === 'gone.partner.example') throw ctx.unrecoverable(`POST ${endpoint} → 410 Gone: endpoint removed by the receiver, not retrying`);
  if (host === 'slow.partner.example') throw new Error(`POST ${endpoint}: timeout of 5000ms exceeded (ETIMEDOUT)`);
  if (host === 'flaky.partner.example' && job.attemptsMade < 2) throw new Error(`POST ${endpoint} → 503 Service Unavailable`);
  await job.log('← 200 OK');
  return { status: 200 };
}

async function processNotification(job: SimJob, ctx: WorkContext): Promise<unknown> {
  await ctx.sleep(ctx.duration());
  if (job.name === 'push') {
    const token = str(job.data['deviceToken']);
    await job.log(`APNs → ${token.slice(0, 12)}…: ${str(job.data['title'])}`);
    if (token.startsWith('expired-')) throw ctx.unrecoverable('APNs 410 Unregistered: the device token is no longer active');
    return { apnsId: ctx.rng.hex(16) };
  }
  const to = str(job.data['to']);
  await job.log(`SMS → ${to}`);
  if (to.endsWith('009')) throw ctx.unrecoverable(`Twilio 21211: Invalid 'To' Phone Number ${to}`);
  if (to.endsWith('429') && job.attemptsMade === 0) throw new Error('Twilio 20429: Too Many Requests');
  return { sid: `SM${ctx.rng.hex(16)}` };
}

async function processOrder(job: SimJob, ctx: WorkContext): Promise<unknown> {
  const children = await job.getChildrenValues();
  await job.log(`All ${Object.keys(children).length} steps done; marking ${str(job.data['orderId'])} fulfilled`);
  await ctx.sleep(ctx.duration() / 4);
  return { orderId: job.data['orderId'], fulfilled: true, steps: Object.keys(children).length };
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded history and resting jobs (deterministic: same ids, payloads and outcomes on every fresh Redis)

interface SeedItem {
  readonly draft: JobDraft;
  readonly expect: JobState;
}

const PEOPLE = ['ana', 'bo', 'chen', 'dara', 'emeka', 'farah', 'goran', 'hana', 'ivan', 'jules', 'kofi', 'lena', 'mateo', 'nadia', 'olu', 'priya'];
const GOOD_DOMAINS = ['example.com', 'example.org', 'mail.example.net'];
const WEBHOOK_ENDPOINTS = ['https://hooks.acme.example/orders', 'https://api.globex.example/v2/events', 'https://initech.example/webhooks/taskscope'];
const CARDS = ['tok_visa', 'tok_mastercard', 'tok_amex'];

function historyFor(queue: string, rng: Rng): SeedItem[] {
  // History backs off for milliseconds so seeding takes about a second; live jobs use realistic backoff.
  const retry = (attempts: number): JobDraftOptions => ({ attempts, backoff: { type: 'exponential', delay: 25 } });
  const ok = (name: string, data: Record<string, unknown>, opts?: JobDraftOptions): SeedItem => ({ draft: { name, data, opts }, expect: 'completed' });
  const ko = (name: string, data: Record<string, unknown>, opts?: JobDraftOptions): SeedItem => ({ draft: { name, data, opts }, expect: 'failed' });
  switch (queue) {
    case 'email': {
      const templates = ['welcome', 'welcome', 'password-reset', 'receipt', 'welcome', 'password-reset', 'receipt', 'welcome', 'password-reset', 'receipt'];
      return [
        ...templates.map((t) => ok(t, emailData(rng, t), retry(3))),
        ok('welcome', emailData(rng, 'welcome', 'greylist.example'), retry(3)),
        ok('password-reset', emailData(rng, 'password-reset', 'greylist.example'), retry(3)),
        ko('welcome', emailData(rng, 'welcome', 'bounce.example'), retry(3)),
        ko('receipt', emailData(rng, 'receipt', 'mx-down.example'), retry(3)),
        ko('password-reset', emailData(rng, 'password-reset', 'mx-down.example'), retry(3)),
      ];
    }
    case 'image-resize':
      return [
        ...Array.from({ length: 7 }, () => ok('resize', imageData(rng, 'image/jpeg'), retry(2))),
        ko('resize', imageData(rng, 'image/heic'), retry(2)),
        ko('resize', { ...imageData(rng, 'image/jpeg'), source: `s3://uploads.example/u/${rng.int(1000, 9999)}/IMG_${rng.int(1000, 9999)}.corrupt.jpg` }, retry(2)),
      ];
    case 'payments':
      return [
        ...Array.from({ length: 6 }, () => ok('charge-card', paymentData(rng, rng.pick(CARDS)), retry(3))),
        ok('refund', paymentData(rng, 'tok_visa'), retry(3)),
        ok('refund', paymentData(rng, 'tok_mastercard'), retry(3)),
        ok('charge-card', paymentData(rng, 'tok_timeoutOnce'), retry(3)),
        ko('charge-card', paymentData(rng, 'tok_chargeDeclined'), retry(3)),
        ko('charge-card', paymentData(rng, 'tok_processingError'), retry(3)),
        // First attempt times out; the retry waits out a one-hour backoff, so it sits in `delayed` with attemptsMade 1.
        {
          draft: { name: 'charge-card', data: paymentData(rng, 'tok_timeoutOnce'), opts: { attempts: 3, backoff: { type: 'fixed', delay: 3_600_000 } } },
          expect: 'delayed',
        },
      ];
    case 'reports':
      return ['daily-sales', 'weekly-kpis', 'inventory-snapshot'].map((r) => ok(r, reportData(rng, r)));
    case 'webhooks':
      return [
        ...Array.from({ length: 10 }, () => ok('deliver', webhookData(rng, rng.pick(WEBHOOK_ENDPOINTS)), retry(4))),
        ok('deliver', webhookData(rng, 'https://flaky.partner.example/events'), retry(4)),
        ok('deliver', webhookData(rng, 'https://flaky.partner.example/events'), retry(4)),
        ko('deliver', webhookData(rng, 'https://slow.partner.example/hook'), retry(4)),
        ko('deliver', webhookData(rng, 'https://gone.partner.example/hook'), retry(4)),
      ];
    case 'notifications':
      return [
        ...Array.from({ length: 5 }, () => ok('push', pushData(rng))),
        ...Array.from({ length: 3 }, () => ok('sms', smsData(rng), retry(2))),
        ok('sms', smsData(rng, '+15005550429'), retry(2)),
        ko('push', { ...pushData(rng), deviceToken: `expired-${rng.hex(24)}` }, retry(2)),
        ko('sms', smsData(rng, '+15005550009'), retry(2)),
      ];
    default:
      return [];
  }
}

function restingJobs(queue: string, rng: Rng): JobDraft[] {
  const hours = (h: number): number => h * 3_600_000;
  switch (queue) {
    case 'email':
      return [
        { name: 'reminder', data: emailData(rng, 'cart-reminder'), opts: { delay: hours(2) } },
        { name: 'reminder', data: emailData(rng, 'cart-reminder'), opts: { delay: hours(6) } },
        { name: 'reminder', data: emailData(rng, 'trial-ending'), opts: { delay: hours(24) } },
        ...Array.from({ length: 4 }, () => ({ name: 'newsletter', data: emailData(rng, 'newsletter') })),
      ];
    case 'image-resize':
      return [
        { name: 'resize', data: imageData(rng, 'image/png'), opts: { priority: 1 } },
        { name: 'resize', data: imageData(rng, 'image/jpeg'), opts: { priority: 1 } },
        { name: 'resize', data: imageData(rng, 'image/jpeg'), opts: { priority: 5 } },
        { name: 'rerender', data: imageData(rng, 'image/jpeg'), opts: { priority: 10 } },
        { name: 'rerender', data: imageData(rng, 'image/png'), opts: { priority: 10 } },
        { name: 'resize', data: imageData(rng, 'image/jpeg') },
        { name: 'resize', data: imageData(rng, 'image/webp') },
      ];
    case 'payments':
      return [
        { name: 'capture-payment', data: paymentData(rng, 'tok_visa'), opts: { delay: hours(0.5), attempts: 3 } },
        { name: 'capture-payment', data: paymentData(rng, 'tok_amex'), opts: { delay: hours(2), attempts: 3 } },
      ];
    case 'reports':
      return ['daily-sales', 'weekly-kpis', 'churn-cohorts', 'inventory-snapshot', 'tax-export'].map((r) => ({ name: r, data: reportData(rng, r) }));
    case 'notifications':
      return [
        // Quiet hours: held back until the morning.
        { name: 'push', data: pushData(rng), opts: { delay: hours(8) } },
        { name: 'sms', data: smsData(rng), opts: { delay: hours(10) } },
        { name: 'push', data: { ...pushData(rng), title: 'New sign-in from Firefox on Linux' }, opts: { priority: 1 } },
        { name: 'sms', data: { ...smsData(rng), body: 'Your Taskscope verification code is 481 207' }, opts: { priority: 1 } },
        { name: 'push', data: pushData(rng), opts: { priority: 5 } },
        ...Array.from({ length: 3 }, () => ({ name: 'push', data: pushData(rng) })),
      ];
    default:
      return [];
  }
}

/** Simulates a worker that took a job and died: fetched by a manual worker that is closed without finishing it. */
async function leaveJobActive(queue: SimQueue, options: { connection: RedisConnectionOptions; prefix: string }): Promise<void> {
  const data = { source: 's3://uploads.example/u/5120/panorama-2026-08-14.tiff', format: 'image/tiff', bytes: 412_000_000, targets: [{ w: 8192, h: 2048 }] };
  // lifo: taken next even if an earlier run on this Redis left other jobs waiting.
  await queue.add('resize', data, { lifo: true });
  const crashed = new bullmq5.Worker(queue.name, null, { ...options, name: 'image-resize-crashed' });
  try {
    const job = await crashed.getNextJob('crashed-worker-token');
    if (!job) throw new Error('the orphaned image-resize job was not picked up');
    await job.log('Fetching s3://uploads.example/u/5120/panorama-2026-08-14.tiff (image/tiff, 412 MB)');
    await job.updateProgress(40);
    await job.log('Worker image-resize-crashed: heap out of memory while decoding; process exited');
  } finally {
    await crashed.close();
  }
}

interface SeededOrder {
  readonly orderId: string;
  readonly card: string;
  readonly customer: string;
  readonly email: string;
  readonly amount: number;
}

function seededOrder(orderId: string, card: string, rng: Rng): SeededOrder {
  const who = rng.pick(PEOPLE);
  return { orderId, card, customer: `cus_${rng.hex(10)}`, email: `${who}@${rng.pick(GOOD_DOMAINS)}`, amount: rng.int(900, 25_000) };
}

/** An order flow: the `orders` parent waits for a charge, a receipt and an invoice render in three other queues. */
function orderFlow(order: SeededOrder, realisticBackoff: boolean): bullmq5.FlowJob {
  const keep = { removeOnComplete: KEEP_JOBS, removeOnFail: KEEP_JOBS };
  // FlowProducer ignores the queues' defaultJobOptions, so every node carries its own retention.
  return {
    name: 'fulfil-order',
    queueName: 'orders',
    data: { orderId: order.orderId, customer: order.customer, total: order.amount, currency: 'EUR' },
    opts: { jobId: order.orderId, ...keep },
    children: [
      {
        name: 'charge-card',
        queueName: 'payments',
        data: { orderId: order.orderId, customer: order.customer, amount: order.amount, currency: 'EUR', source: order.card },
        // No failParentOnFailure: a declined charge leaves the parent waiting for good.
        opts: { jobId: `${order.orderId}-charge`, attempts: 2, backoff: { type: 'fixed', delay: realisticBackoff ? 2000 : 25 }, ...keep },
      },
      {
        name: 'send-receipt',
        queueName: 'email',
        data: { to: order.email, template: 'receipt', orderId: order.orderId },
        opts: { jobId: `${order.orderId}-receipt`, ...keep },
      },
      {
        name: 'render-invoice',
        queueName: 'image-resize',
        data: { source: `render://invoices/${order.orderId}.html`, format: 'text/html', bytes: 48_213, targets: [{ w: 1240, h: 1754 }] },
        opts: { jobId: `${order.orderId}-invoice`, ...keep },
      },
    ],
  };
}

function emailData(rng: Rng, template: string, domain?: string): Record<string, unknown> {
  const who = rng.pick(PEOPLE);
  return { to: `${who}@${domain ?? rng.pick(GOOD_DOMAINS)}`, template, locale: rng.pick(['en-GB', 'en-US', 'de-DE', 'fr-FR']), vars: { firstName: capitalize(who) } };
}

function imageData(rng: Rng, format: string): Record<string, unknown> {
  const ext = format.split('/')[1] ?? 'jpg';
  return {
    source: `s3://uploads.example/u/${rng.int(1000, 9999)}/IMG_${rng.int(1000, 9999)}.${ext === 'jpeg' ? 'jpg' : ext}`,
    format,
    bytes: rng.int(200_000, 9_000_000),
    targets: [
      { w: 1280, h: 720 },
      { w: 320, h: 180 },
    ],
  };
}

function paymentData(rng: Rng, source: string): Record<string, unknown> {
  return { orderId: `order-${rng.int(2000, 8999)}`, customer: `cus_${rng.hex(10)}`, amount: rng.int(500, 50_000), currency: rng.pick(['EUR', 'USD', 'GBP']), source };
}

function reportData(rng: Rng, report: string): Record<string, unknown> {
  return { report, format: rng.pick(['pdf', 'csv']), requestedBy: `${rng.pick(PEOPLE)}@example.com`, period: rng.pick(['yesterday', 'last-7-days', 'last-month']) };
}

function webhookData(rng: Rng, endpoint: string): Record<string, unknown> {
  const event = rng.pick(['order.paid', 'order.shipped', 'invoice.created', 'customer.updated']);
  return { endpoint, event, payload: { id: `evt_${rng.hex(12)}`, object: event.split('.')[0] }, signature: `sha256=${rng.hex(32)}` };
}

function pushData(rng: Rng): Record<string, unknown> {
  return { userId: `usr_${rng.hex(8)}`, deviceToken: rng.hex(32), title: rng.pick(['Your order has shipped', 'Payment received', 'New comment on your post']), body: 'Tap to see details' };
}

function smsData(rng: Rng, to?: string): Record<string, unknown> {
  return { to: to ?? `+4915${rng.int(10_000_000, 99_999_999)}`, body: rng.pick(['Your parcel arrives today between 10:00 and 12:00', 'Your table for 2 is confirmed'] as const) };
}

// ---------------------------------------------------------------------------------------------------------------
// Live traffic

function liveEmail(rng: Rng): JobDraft {
  const roll = rng.next();
  const domain = roll < 0.05 ? 'bounce.example' : roll < 0.1 ? 'greylist.example' : roll < 0.14 ? 'mx-down.example' : undefined;
  const template = rng.pick(['welcome', 'password-reset', 'receipt', 'newsletter']);
  if (rng.chance(0.1)) return { name: 'reminder', data: emailData(rng, 'cart-reminder', domain), opts: { delay: rng.int(5_000, 90_000) } };
  return { name: template, data: emailData(rng, template, domain), opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 } } };
}

function liveImage(rng: Rng): JobDraft {
  const roll = rng.next();
  const format = roll < 0.06 ? 'image/heic' : rng.pick(['image/jpeg', 'image/jpeg', 'image/png', 'image/webp']);
  const data = imageData(rng, format);
  if (roll > 0.06 && roll < 0.12) data['source'] = String(data['source']).replace(/\.[a-z]+$/, '.corrupt.jpg');
  return { name: rng.chance(0.8) ? 'resize' : 'rerender', data, opts: { attempts: 2, backoff: { type: 'fixed', delay: 1500 }, priority: rng.chance(0.4) ? rng.int(1, 10) : undefined } };
}

function livePayment(rng: Rng): JobDraft {
  const roll = rng.next();
  const card = roll < 0.06 ? 'tok_chargeDeclined' : roll < 0.1 ? 'tok_processingError' : roll < 0.18 ? 'tok_timeoutOnce' : rng.pick(CARDS);
  const delayed = rng.chance(0.15);
  return {
    name: delayed ? 'capture-payment' : rng.chance(0.85) ? 'charge-card' : 'refund',
    data: paymentData(rng, card),
    opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, delay: delayed ? rng.int(10_000, 60_000) : undefined },
  };
}

function liveWebhook(rng: Rng): JobDraft {
  const roll = rng.next();
  const endpoint =
    roll < 0.08 ? 'https://flaky.partner.example/events' : roll < 0.12 ? 'https://slow.partner.example/hook' : roll < 0.14 ? 'https://gone.partner.example/hook' : rng.pick(WEBHOOK_ENDPOINTS);
  return { name: 'deliver', data: webhookData(rng, endpoint), opts: { attempts: 4, backoff: { type: 'exponential', delay: 1000 } } };
}

function liveNotification(rng: Rng): JobDraft {
  const roll = rng.next();
  if (rng.chance(0.5)) {
    const data = pushData(rng);
    if (roll < 0.08) data['deviceToken'] = `expired-${rng.hex(24)}`;
    return { name: 'push', data, opts: { attempts: 2, backoff: { type: 'fixed', delay: 1000 }, priority: rng.chance(0.1) ? 1 : undefined } };
  }
  const to = roll < 0.05 ? '+15005550009' : roll < 0.12 ? '+15005550429' : undefined;
  return { name: 'sms', data: smsData(rng, to), opts: { attempts: 2, backoff: { type: 'fixed', delay: 1000 } } };
}

/** Adds one job every few hundred ms to a weighted-random queue, and an order flow every ~15 s. */
class LiveProducer {
  private stopped = false;
  private jobTimer: NodeJS.Timeout | undefined;
  private flowTimer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private orderSeq = 0;
  private readonly fed: { readonly spec: QueueSpec; readonly weight: number; make(rng: Rng): JobDraft }[];

  constructor(
    specs: readonly QueueSpec[],
    private readonly queues: ReadonlyMap<string, SimQueue>,
    private readonly flows: bullmq5.FlowProducer,
    private readonly rng: Rng,
    private readonly report: (msg: string) => void,
  ) {
    this.fed = specs.flatMap((spec) => (spec.live ? [{ spec, ...spec.live }] : []));
  }

  start(): void {
    this.scheduleJob();
    this.flowTimer = setTimeout(() => this.flowTick(), this.rng.int(3_000, 6_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.jobTimer);
    clearTimeout(this.flowTimer);
    await Promise.all([...this.inFlight]);
  }

  private scheduleJob(): void {
    if (this.stopped) return;
    this.jobTimer = setTimeout(() => {
      this.track(this.addOne());
      this.scheduleJob();
    }, this.rng.int(LIVE_TICK_MS.min, LIVE_TICK_MS.max));
  }

  private flowTick(): void {
    if (this.stopped) return;
    this.orderSeq += 1;
    // Unique per run, so a demo restarted on the same Redis never collides with earlier orders.
    const orderId = `order-${Date.now().toString(36)}-${this.orderSeq}`;
    const card = this.rng.chance(0.07) ? 'tok_chargeDeclinedInsufficientFunds' : this.rng.pick(CARDS);
    this.track(this.flows.add(orderFlow(seededOrder(orderId, card, this.rng), true)).then(() => undefined));
    this.flowTimer = setTimeout(() => this.flowTick(), this.rng.int(LIVE_FLOW_EVERY_MS * 0.7, LIVE_FLOW_EVERY_MS * 1.3));
  }

  private async addOne(): Promise<void> {
    const total = this.fed.reduce((sum, f) => sum + f.weight, 0);
    let roll = this.rng.next() * total;
    const chosen = this.fed.find((f) => (roll -= f.weight) < 0) ?? this.fed[0];
    if (!chosen) return;
    const queue = this.queues.get(chosen.spec.name);
    const draft = chosen.make(this.rng);
    await queue?.add(draft.name, draft.data, draft.opts);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.report(`producer: ${err instanceof Error ? err.message : String(err)}`));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Plumbing

interface Expectation {
  readonly queue: SimQueue;
  readonly id: string;
  readonly state: JobState;
}

/** Polls job states until every job reached its expected state, or throws naming the stragglers. */
async function settle(expectations: readonly Expectation[], timeoutMs: number): Promise<void> {
  let pending = [...expectations];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(pending.map((e) => e.queue.getJobState(e.id)));
    const stragglers = pending.filter((e, i) => states[i] !== e.state);
    if (stragglers.length === 0) return;
    if (Date.now() > deadline) {
      const detail = stragglers.map((e) => `${e.queue.name}/${e.id} is ${states[pending.indexOf(e)]}, expected ${e.state}`).join('; ');
      throw new Error(`bullmq demo seed did not settle within ${timeoutMs} ms: ${detail}`);
    }
    pending = stragglers;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Everything the simulator opened, closed in dependency order (workers, then queues and producers). */
class ResourceSet {
  private readonly others: { readonly label: string; readonly item: Closeable }[] = [];
  private workers: { readonly label: string; readonly worker: Closeable }[] = [];

  constructor(private readonly log: (msg: string) => void) {}

  add(label: string, item: Closeable): void {
    this.others.push({ label, item });
  }

  addWorkers(workers: { readonly label: string; readonly worker: Closeable }[]): void {
    this.workers.push(...workers);
  }

  async closeWorkers(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => this.closeOne(w.label, w.worker)));
  }

  async closeAll(): Promise<void> {
    await this.closeWorkers();
    const others = this.others.splice(0);
    await Promise.all(others.map((o) => this.closeOne(o.label, o.item)));
  }

  // A close that hangs (Redis gone) must not keep Ctrl+C from finishing: fall back to a hard disconnect.
  private async closeOne(label: string, item: Closeable): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([item.close().then(() => 'closed' as const), timedOut]);
      if (result === 'timeout') {
        this.log(`${label} did not close within ${CLOSE_TIMEOUT_MS} ms; disconnecting`);
        await item.disconnect();
      }
    } catch (err) {
      this.log(`${label} failed to close: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Plain connection options both bullmq majors accept (v6 has its own `RedisOptions` type, not ioredis's). */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

/** Connection options from a redis URL; bullmq makes its own connections from these (and closes them). */
export function connectionFromUrl(url: string): RedisConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a redis:// or rediss:// URL: ${url}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

function requireId(job: { id?: string }): string {
  if (job.id === undefined) throw new Error('bullmq returned a job without an id');
  return job.id;
}

/** Logs each distinct message once, so a Redis outage does not flood the terminal with reconnect errors. */
function onceEach(log: (msg: string) => void): (msg: string) => void {
  const seen = new Set<string>();
  return (msg) => {
    if (seen.has(msg) || seen.size > 200) return;
    seen.add(msg);
    log(msg);
  };
}

/** A small seedable PRNG (mulberry32): payloads are the same on every run, which keeps tests reproducible. */
class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return Math.floor(min + this.next() * (Math.floor(max) - Math.ceil(min) + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function formatBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} kB`;
}

function formatMoney(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}
