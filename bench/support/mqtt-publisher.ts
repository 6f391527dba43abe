// Child process for the MQTT ingest benchmark: publishes N messages of ~200 B JSON at QoS 0, each to its own
// topic (`bench/<run>/<i % topics>`), as fast as the socket takes them. Args: url count topics run.
import mqtt from 'mqtt';

const [url = '', countArg = '100000', topicsArg = '100000', run = 'r'] = process.argv.slice(2);
const count = Number(countArg);
const topics = Number(topicsArg);

void (async () => {
  const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${run}` });
  const pad = 'x'.repeat(120);
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({ id: `job-${i}`, state: 'running', worker: `w-${i % 50}`, value: i, pad });
    if (!client.publish(`bench/${run}/${i % topics}`, body, { qos: 0 })) await new Promise((r) => client.stream.once('drain', r));
  }
  await client.endAsync();
})();
