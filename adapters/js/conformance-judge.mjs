// Verdicts for the AWS SDK for JavaScript v3 against `conformance serve SERVICE --fuzz`.
//
// A middleware that wraps the SDK's deserializer: for every answer carrying an `x-conformance-case` header it
// posts what the SDK made of it (the output it returned, or the error it threw) to the fuzz server's judge,
// `POST <endpoint>/conformance/judge`, as the verdict input the README documents ("Verdicts for any client").
// It sits in the deserialize step, inside the retry middleware, so each attempt is judged on its own answer.
// Answers without the header (a server that does not fuzz) are not posted.
//
//   import { GlueClient } from "@aws-sdk/client-glue";
//   import { conformanceJudge } from "./conformance-judge.mjs";
//   const glue = new GlueClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
//   const judge = conformanceJudge({ endpoint });
//   glue.middlewareStack.use(judge);
//   ... calls ...
//   await judge.flush();                                  // every verdict input posted
//   const report = await (await fetch(`${endpoint}/conformance/report`)).json();
//
// The SDK's calls behave as without it (outputs returned, errors rethrown); posting runs alongside.

const CASE_HEADER = "x-conformance-case";

// How the SDK rejects a body it cannot read: JSON.parse's SyntaxError (the SDK attaches the body text to it),
// and for the XML protocols the Error its own XML parser (@aws-sdk/xml-builder's parseXML) throws. Any other
// exception from deserializing (TypeError, RangeError, ...) is a crash of the SDK.
const XML_PARSE_ERROR = "@aws-sdk XML parse error";
export function isDocumentedRefusal(error) {
  return error instanceof SyntaxError || String(error?.message ?? "").startsWith(XML_PARSE_ERROR);
}

// VALUE as verdict-input JSON: what JSON cannot hold travels tagged ($date, $bytes, $number).
export function tag(value) {
  if (value instanceof Date) {
    return { $date: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  }
  if (value instanceof Uint8Array) {
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    return { $number: Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity" };
  }
  if (typeof value === "bigint") {
    return { $number: value.toString() };
  }
  if (Array.isArray(value)) {
    return value.map(tag);
  }
  if (value !== null && typeof value === "object") {
    const tagged = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) tagged[key] = tag(item);
    }
    return tagged;
  }
  return value;
}

// What the SDK threw, as the verdict input's `error`. A service exception ($fault set) is an AWS error the
// SDK read: its name is the code, its own fields the error shape's members.
export function describeError(error, documented = isDocumentedRefusal) {
  const className = error?.constructor?.name || error?.name || typeof error;
  const message = error?.message ?? String(error);
  if (error && typeof error === "object" && "$fault" in error) {
    const members = {};
    for (const [key, item] of Object.entries(error)) {
      if (!key.startsWith("$") && !["name", "message", "stack"].includes(key)) members[key] = item;
    }
    return { class: className, code: error.name, message, members: tag(members) };
  }
  return { class: className, message: String(message).split("\n  Deserialization error:")[0],
           documented: Boolean(documented(error)) };
}

function caseOf(response) {
  const headers = response?.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === CASE_HEADER) return value;
  }
  return undefined;
}

export function conformanceJudge({ endpoint, client = "aws-sdk-js-v3", documented = isDocumentedRefusal,
                                   onVerdict = () => {} } = {}) {
  const judgeUrl = `${String(endpoint).replace(/\/+$/, "")}/conformance/judge`;
  const pending = new Set();
  const failures = [];

  // The output as verdict-input JSON; one nested too deep to walk (the SDK kept a malformed answer's
  // thousands of levels) is said to be so, rather than changing what the call returns.
  function tagged(output) {
    try {
      return tag(output);
    } catch (problem) {
      if (problem instanceof RangeError) return { "$too-deep": true };
      throw problem;
    }
  }

  function post(record) {
    let body;
    try {
      body = JSON.stringify(record);
    } catch (problem) {  // too deep for JSON.stringify as well
      body = JSON.stringify({ case: record.case, client, output: { "$too-deep": true } });
    }
    const sent = fetch(judgeUrl, { method: "POST", headers: { "content-type": "application/json" }, body })
      .then(async (answer) => {
        const body = await answer.json();
        if (!answer.ok) throw new Error(`judge answered ${answer.status}: ${body.message}`);
        onVerdict(body);
      })
      .catch((problem) => failures.push(problem))
      .finally(() => pending.delete(sent));
    pending.add(sent);
  }

  // Two middlewares around the SDK's deserializer: the inner one sees the raw answer (its case id), the outer
  // one what the deserializer made of it. The id goes from one to the other in the attempt's context.
  const CASE = Symbol("conformance case");
  const readCase = (next, context) => async (args) => {
    const result = await next(args);
    context[CASE] = caseOf(result.response);
    return result;
  };
  const judgeReading = (next, context) => async (args) => {
    context[CASE] = undefined;
    let result;
    try {
      result = await next(args);
    } catch (error) {
      const caseId = context[CASE];
      if (caseId) {
        let described;
        try {
          described = describeError(error, documented);
        } catch (problem) {  // members nested too deep to walk (the SDK kept a malformed answer's nesting)
          described = { class: error?.constructor?.name || "Error", code: error.name, message: error.message,
                        members: { "$too-deep": true } };
        }
        post({ case: caseId, client, error: described });
      }
      throw error;
    }
    const caseId = context[CASE];
    if (caseId) {
      const { $metadata, ...output } = result.output ?? {};
      post({ case: caseId, client, output: tagged(output) });
    }
    return result;
  };

  return {
    applyToStack(stack) {
      stack.add(judgeReading, { step: "deserialize", name: "conformanceJudgeReading", priority: "high" });
      stack.add(readCase, { step: "deserialize", name: "conformanceJudgeCase", priority: "low" });
    },
    // Resolves when every verdict input so far is judged; rejects with the first failure to post one.
    async flush() {
      while (pending.size) await Promise.all([...pending]);
      if (failures.length) throw failures[0];
    },
  };
}
