// The adapter's encoding of what the SDK returned or threw (node --test adapters/js/test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeError, tag } from "../conformance-judge.mjs";

test("values JSON cannot hold travel tagged", () => {
  assert.deepEqual(tag({
    At: new Date(Date.UTC(2024, 1, 29, 12)), Bad: new Date(Number.NaN), Blob: new Uint8Array([104, 105]),
    Big: 2n ** 64n, Inf: -Infinity, Nan: Number.NaN, Gone: undefined, List: [1, "a", null], Nested: { N: 1 },
  }), {
    At: { $date: "2024-02-29T12:00:00.000Z" }, Bad: { $date: null }, Blob: { $bytes: "aGk=" },
    Big: { $number: "18446744073709551616" }, Inf: { $number: "-Infinity" }, Nan: { $number: "NaN" },
    List: [1, "a", null], Nested: { N: 1 },
  });
});

test("a service exception is an AWS error the SDK read: its name is the code, its fields the members", () => {
  class EntityNotFoundException extends Error {
    constructor() {
      super("no such transform");
      this.name = "EntityNotFoundException";
      this.$fault = "client";
      this.$metadata = { httpStatusCode: 400 };
      this.FromFederationSource = true;
    }
  }
  assert.deepEqual(describeError(new EntityNotFoundException()), {
    class: "EntityNotFoundException", code: "EntityNotFoundException", message: "no such transform",
    members: { FromFederationSource: true },
  });
});

test("a JSON.parse refusal is documented, any other exception a crash, without the SDK's hint", () => {
  let refusal;
  try { JSON.parse("{"); } catch (error) { refusal = error; }
  assert.equal(describeError(refusal).documented, true);
  const crash = new TypeError("Cannot read properties of null (reading 'indexOf')");
  crash.message += "\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response";
  assert.deepEqual(describeError(crash), {
    class: "TypeError", message: "Cannot read properties of null (reading 'indexOf')", documented: false,
  });
});

test("the SDK's own XML parser refusal is documented; another Error is a crash", async () => {
  const { parseXML } = await import("@aws-sdk/xml-builder");
  let refusal;
  try { parseXML("<GetUserResponse><GetUserResult>"); } catch (error) { refusal = error; }
  assert.ok(refusal, "parseXML accepted an unclosed document");
  assert.equal(describeError(refusal).documented, true);
  assert.equal(describeError(new Error("Cannot read XML")).documented, false);
});
