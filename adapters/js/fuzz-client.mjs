// Call SERVICE's operations CALLS times against `conformance serve SERVICE --fuzz` at ENDPOINT with the judge
// middleware, and print what the SDK did as one JSON line (outcomes by error name, verdicts by kind).
// Usage: node fuzz-client.mjs SERVICE ENDPOINT [CALLS] [CONCURRENCY]

import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetMLTaskRunCommand, GetMLTransformCommand, GlueClient } from "@aws-sdk/client-glue";
import { GetUserCommand, IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { conformanceJudge } from "./conformance-judge.mjs";

// The operations called, in turn, per service: valid inputs, so that every answer is a fuzz case.
const SERVICES = {
  glue: [GlueClient, [() => new GetMLTaskRunCommand({ TransformId: "tfm-1", TaskRunId: "tsk-1" }),
                      () => new GetMLTransformCommand({ TransformId: "tfm-1" })]],
  logs: [CloudWatchLogsClient, [() => new GetLogEventsCommand({ logGroupName: "g", logStreamName: "s" })]],
  iam: [IAMClient, [() => new GetUserCommand({ UserName: "u" }), () => new ListUsersCommand({})]],
};

const [service, endpoint, calls = "200", concurrency = "1"] = process.argv.slice(2);
if (!SERVICES[service] || !endpoint) {
  console.error(`usage: node fuzz-client.mjs {${Object.keys(SERVICES).join(",")}} ENDPOINT [CALLS] [CONCURRENCY]`);
  process.exit(2);
}
const [Client, commands] = SERVICES[service];

const verdicts = {};
const judge = conformanceJudge({
  endpoint,
  onVerdict: (judged) => {
    const kind = judged.verdict ? `${judged.verdict.kind} ${judged.verdict.exception ?? ""}`.trim() : "none";
    verdicts[kind] = (verdicts[kind] ?? 0) + 1;
  },
});
const client = new Client({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
});
client.middlewareStack.use(judge);

const outcomes = {};
let next = 0;
async function worker() {
  while (next < Number(calls)) {
    const number = next++;
    try {
      await client.send(commands[number % commands.length]());
      outcomes.returned = (outcomes.returned ?? 0) + 1;
    } catch (error) {
      const name = error?.name ?? typeof error;
      outcomes[name] = (outcomes[name] ?? 0) + 1;
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
await judge.flush();
console.log(JSON.stringify({ service, calls: Number(calls), outcomes, verdicts }));
