// The official OpenAI Node SDK as a client of `evalrun mock-server`: what a real client expects of
// an OpenAI-compatible server (a role in the first stream delta, `created` on every chunk,
// x-request-id on every response, reason phrases on error statuses). Prints one JSON object.
// Usage: node openai_sdk_client.mjs NPM_DIR BASE_URL [FAILING_BASE_URL]
//   NPM_DIR holds node_modules/openai (scripts/install-npm.sh puts it in build/npm).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [npmDir, baseURL, failing] = process.argv.slice(2);
const entry = createRequire(`${npmDir}/`).resolve('openai');
const mod = await import(pathToFileURL(entry).href);
const OpenAI = mod.OpenAI ?? mod.default?.OpenAI ?? mod.default;

const client = new OpenAI({ baseURL, apiKey: 'sdk-test-key', maxRetries: 0 });
const out = {};
const messages = [{ role: 'user', content: 'What is 2 + 3?' }];

const models = await client.models.list().withResponse();
out.models = models.data.data.map((m) => m.id);
out.models_request_id = models.response.headers.get('x-request-id');

const completion = await client.chat.completions.create({ model: 'mock-large', messages, max_tokens: 16 });
out.completion = completion.choices[0].message.content;
out.completion_request_id = completion._request_id ?? null;

const stream = client.chat.completions.stream({
  model: 'mock-large', messages, max_tokens: 16, stream_options: { include_usage: true },
});
let chunks = 0, created = 0, firstRole = null;
stream.on('chunk', (chunk) => {
  if (chunks === 0) firstRole = chunk.choices[0]?.delta?.role ?? null;
  chunks += 1;
  if (typeof chunk.created === 'number') created += 1;
});
const final = await stream.finalChatCompletion();
out.stream = { content: final.choices[0].message.content, role: final.choices[0].message.role,
               chunks, chunks_with_created: created, first_role: firstRole,
               usage: final.usage ?? null };

// A thinking model streamed: the SDK passes the reasoning deltas through; and tool calls, whose
// streamed deltas the SDK's own accumulator assembles (it checks index, id and type as it goes).
const thinking = client.chat.completions.stream({
  model: 'mock-thinker', messages, stream_options: { include_usage: true },
});
let reasoning = '';
thinking.on('chunk', (chunk) => { reasoning += chunk.choices[0]?.delta?.reasoning ?? ''; });
const thought = await thinking.finalChatCompletion();
out.thinker = { content: thought.choices[0].message.content, reasoning,
                reasoning_tokens: thought.usage?.completion_tokens_details?.reasoning_tokens ?? null };
const tools = [{ type: 'function', function: { name: 'give_answer', parameters: {
  type: 'object', properties: { answer: { type: 'string' } } } } }];
const called = await client.chat.completions.create({ model: 'mock-large', messages, tools });
const streamedCall = await client.chat.completions.stream({ model: 'mock-large', messages, tools })
  .finalChatCompletion();
const callOf = (c) => ({ finish_reason: c.choices[0].finish_reason,
                         content: c.choices[0].message.content ?? null,
                         calls: c.choices[0].message.tool_calls ?? [] });
out.tool_call = callOf(called);
out.streamed_tool_call = callOf(streamedCall);

// An error status as the SDK sees it, and the status line a plain fetch reads.
if (failing) {
  const res = await fetch(`${failing}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'mock-small', messages }),
  });
  out.error_status = res.status;
  out.error_status_text = res.statusText;
  out.error_request_id = res.headers.get('x-request-id');
  try {
    await new OpenAI({ baseURL: failing, apiKey: 'k', maxRetries: 0 }).chat.completions.create({
      model: 'mock-small', messages });
  } catch (e) {
    out.sdk_error = { status: e.status ?? null, request_id: e.request_id ?? e.requestID ?? null,
                      name: e.constructor?.name ?? null };
  }
}
console.log(JSON.stringify(out));
