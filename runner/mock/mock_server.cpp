#include "mock/mock_server.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "api/http_status.h"
#include "common/json_limits.h"
#include "tokenizer/script_rule.h"

namespace evalrun {

struct MockServer::State {
  MockServerOptions options;
  TokenCounter tokens;            // options.tokenizer's, else the rule
  std::vector<MockModel> models;  // MockModels(), then options.aliases
  event_base* base = nullptr;
  evhttp* http = nullptr;
  event* sigint = nullptr;
  SSL_CTX* ssl_ctx = nullptr;
  event* sigterm = nullptr;
  int port = 0;
  uint64_t chat_requests = 0;
  std::map<std::string, uint64_t> by_model;  // chat requests per model named in the body
  uint64_t models_requests = 0;
  uint64_t next_id = 0;
  uint64_t in_flight = 0;                 // delayed replies not yet sent
  uint64_t max_in_flight = 0;             // lets tests check a client's concurrency bound
  std::unordered_set<std::string> peers;  // distinct client address:port = connections opened
  std::mt19937_64 rng;
  std::map<std::string, uint64_t> injected;  // fault name -> count
  // Retry-After bookkeeping: when a request with this body may come back, and how many came sooner.
  std::unordered_map<uint64_t, std::chrono::steady_clock::time_point> retry_not_before;
  uint64_t early_retries = 0;
  // GET /mock/stats?wait_chat_requests=N held until N chat requests have arrived (tests wait on
  // this instead of sleeping).
  std::vector<std::pair<uint64_t, evhttp_request*>> stat_waiters;
};

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const MockModel* FindModel(const MockServer::State& s, std::string_view id) {
  for (const auto& m : s.models)
    if (m.id == id) return &m;
  return nullptr;
}

/// A reply held back by the latency model until its timer fires.
struct PendingReply {
  MockServer::State* state;
  evhttp_request* req;
  evhttp_connection* conn;
  event* timer;
  std::string body;
  std::string request_id;
};

void Send(evhttp_request* req, int code, const std::string& body, const std::string& request_id,
          double retry_after_s = 0) {
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  if (retry_after_s > 0)
    evhttp_add_header(headers, "Retry-After", fmt::format("{:g}", retry_after_s).c_str());
  evhttp_add_header(headers, "Content-Type", "application/json");
  // Every response carries a request id, as OpenAI's do (its SDK reads it from every answer).
  static uint64_t unnamed = 0;
  const std::string id = request_id.empty() ? fmt::format("mock-r{}", ++unnamed) : request_id;
  evhttp_add_header(headers, "x-request-id", id.c_str());
  evbuffer* buf = evbuffer_new();
  evbuffer_add(buf, body.data(), body.size());
  const std::string reason(HttpReasonPhrase(code));
  evhttp_send_reply(req, code, reason.empty() ? "Error" : reason.c_str(), buf);
  evbuffer_free(buf);
}

std::string ErrorBody(const std::string& message, const char* type, const char* code) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("message");
  w.String(message);
  w.Key("type");
  w.String(type);
  w.Key("code");
  w.String(code);
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

void OnConnectionClosed(evhttp_connection*, void* arg) {
  // The client went away before its delayed reply: drop the reply, never touch the request.
  auto* p = static_cast<PendingReply*>(arg);
  --p->state->in_flight;
  if (p->timer) event_free(p->timer);
  delete p;
}

void OnReplyDue(evutil_socket_t, short, void* arg) {
  auto* p = static_cast<PendingReply*>(arg);
  evhttp_connection_set_closecb(p->conn, nullptr, nullptr);
  --p->state->in_flight;
  Send(p->req, 200, p->body, p->request_id);
  event_free(p->timer);
  delete p;
}

/// With --api-key, that bearer token and no other; without, any request, as a local server
/// without auth (vLLM's default) takes it, but a header that is there must be well formed.
bool Authorized(evhttp_request* req, const MockServerOptions& options) {
  const char* auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
  if (!auth) return options.api_key.empty();
  if (std::strncmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0') return false;
  return options.api_key.empty() || options.api_key == auth + 7;
}

void HandleModels(evhttp_request* req, MockServer::State& s) {
  ++s.models_requests;
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("object");
  w.String("list");
  w.Key("data");
  w.StartArray();
  for (const auto& m : s.options.list_no_models ? std::vector<MockModel>() : s.models) {
    w.StartObject();
    w.Key("id");
    w.String(m.id);
    w.Key("object");
    w.String("model");
    w.Key("created");
    w.Int64(1700000000);
    w.Key("owned_by");
    w.String("evalrun-mock");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  Send(req, 200, buf.GetString(), "");
}

void SendStats(evhttp_request* req, MockServer::State& s);

void HandleStats(evhttp_request* req, MockServer::State& s) {
  const char* uri = evhttp_request_get_uri(req);
  const char* q = uri ? std::strstr(uri, "wait_chat_requests=") : nullptr;
  const uint64_t want = q ? std::strtoull(q + std::strlen("wait_chat_requests="), nullptr, 10) : 0;
  if (s.chat_requests < want) {
    s.stat_waiters.emplace_back(want, req);
    // A waiter that hangs up must be forgotten before its request is freed.
    evhttp_connection_set_closecb(
        evhttp_request_get_connection(req),
        [](evhttp_connection* conn, void* arg) {
          auto& waiters = static_cast<MockServer::State*>(arg)->stat_waiters;
          std::erase_if(waiters, [conn](const auto& w) {
            return evhttp_request_get_connection(w.second) == conn;
          });
        },
        &s);
    return;
  }
  SendStats(req, s);
}

void WakeStatWaiters(MockServer::State& s) {
  for (size_t i = 0; i < s.stat_waiters.size();) {
    if (s.chat_requests >= s.stat_waiters[i].first) {
      evhttp_connection_set_closecb(evhttp_request_get_connection(s.stat_waiters[i].second),
                                    nullptr, nullptr);
      SendStats(s.stat_waiters[i].second, s);
      s.stat_waiters.erase(s.stat_waiters.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
}

std::string Quoted(const std::string& text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

void SendStats(evhttp_request* req, MockServer::State& s) {
  std::string injected, by_model;
  for (const auto& [name, n] : s.injected)
    injected += fmt::format(R"({}"{}":{})", injected.empty() ? "" : ",", name, n);
  for (const auto& [model, n] : s.by_model)
    by_model += fmt::format(R"({}{}:{})", by_model.empty() ? "" : ",", Quoted(model), n);
  Send(req, 200,
       fmt::format(
           R"({{"chat_requests":{},"models_requests":{},"max_in_flight":{},"connections":{},)"
           R"("early_retries":{},"injected":{{{}}},"by_model":{{{}}},"tokens":{}}})",
           s.chat_requests, s.models_requests, s.max_in_flight, s.peers.size(), s.early_retries,
           injected, by_model, Quoted(s.tokens.Basis())),
       "");
}

/// Holds a request with no reply until the client gives up and closes the connection.
void Hold(evhttp_request* req, MockServer::State& s) {
  auto* p = new PendingReply{&s, req, evhttp_request_get_connection(req), nullptr, "", ""};
  s.max_in_flight = std::max(s.max_in_flight, ++s.in_flight);
  evhttp_connection_set_closecb(p->conn, OnConnectionClosed, p);
}

/// Closes the connection under a request without answering it.
void Drop(evhttp_request* req) {
  bufferevent* bev = evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
  shutdown(bufferevent_getfd(bev), SHUT_RDWR);  // libevent sees EOF and frees the request itself
}

/// Injects the configured failures; true when it answered (or dropped) the request.
bool InjectFault(evhttp_request* req, MockServer::State& s, uint64_t body_hash,
                 const std::string& request_id) {
  const MockFaults& f = s.options.faults;
  auto count = [&](const char* name) { ++s.injected[name]; };
  if (f.quota_after >= 0 && static_cast<long long>(s.chat_requests) > f.quota_after) {
    count("402");
    Send(req, 402,
         ErrorBody("You exceeded your current quota, please check your plan and billing details",
                   "insufficient_quota", "insufficient_quota"),
         request_id);
    return true;
  }
  if (f.max_concurrency > 0 && s.in_flight >= static_cast<uint64_t>(f.max_concurrency)) {
    count("429_concurrency");
    Send(req, 429,
         ErrorBody("Concurrency limit reached for requests", "rate_limit_error",
                   "rate_limit_exceeded"),
         request_id);
    return true;
  }
  double u = std::uniform_real_distribution<double>(0, 1)(s.rng);
  auto take = [&](double rate) {
    if (u < rate) return true;
    u -= rate;
    return false;
  };
  if (take(f.rate_429)) {
    count("429");
    if (f.retry_after_s > 0) {
      s.retry_not_before[body_hash] =
          std::chrono::steady_clock::now() +
          std::chrono::microseconds(static_cast<long long>(f.retry_after_s * 1e6));
    }
    Send(req, 429,
         ErrorBody("Concurrency limit reached for requests", "rate_limit_error",
                   "rate_limit_exceeded"),
         request_id, f.retry_after_s);
    return true;
  }
  if (take(f.rate_500)) {
    count("500");
    Send(req, 500,
         ErrorBody("The server had an error while processing your request", "server_error",
                   "internal_error"),
         request_id);
    return true;
  }
  if (take(f.rate_503)) {
    count("503");
    Send(req, 503,
         ErrorBody("The engine is currently overloaded, please try again later", "server_error",
                   "overloaded"),
         request_id);
    return true;
  }
  if (take(f.rate_401)) {
    count("401");
    Send(req, 401, ErrorBody("Authentication failed", "invalid_request_error", "invalid_api_key"),
         request_id);
    return true;
  }
  if (take(f.rate_malformed)) {
    count("malformed");
    Send(req, 200, R"({"id":"x","choices":[{"message":{"content":"trunc)", request_id);
    return true;
  }
  if (take(f.rate_drop)) {
    count("drop");
    Drop(req);
    return true;
  }
  if (take(f.rate_stall)) {
    count("stall");
    Hold(req, s);
    return true;
  }
  return false;
}

/// A streamed reply in progress: one SSE chunk per word, paced by the latency model.
struct StreamReply {
  MockServer::State* state;
  evhttp_request* req;
  evhttp_connection* conn;
  event* timer = nullptr;
  std::vector<std::string> events;  // "data: ...\n\n" each, in order
  std::vector<double> gaps_ms;      // wait before each event
  size_t next = 0;
};

void OnStreamClosed(evhttp_connection*, void* arg) {
  auto* p = static_cast<StreamReply*>(arg);
  --p->state->in_flight;
  if (p->timer) event_free(p->timer);
  delete p;
}

void OnStreamTick(evutil_socket_t, short, void* arg) {
  auto* p = static_cast<StreamReply*>(arg);
  // Send every event that is due now; stop at the first one that must wait.
  while (p->next < p->events.size()) {
    evbuffer* buf = evbuffer_new();
    evbuffer_add(buf, p->events[p->next].data(), p->events[p->next].size());
    evhttp_send_reply_chunk(p->req, buf);
    evbuffer_free(buf);
    ++p->next;
    if (p->next < p->events.size() && p->gaps_ms[p->next] > 0) {
      const auto us = static_cast<long long>(p->gaps_ms[p->next] * 1000);
      timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
      evtimer_add(p->timer, &tv);
      return;
    }
  }
  evhttp_connection_set_closecb(p->conn, nullptr, nullptr);
  --p->state->in_flight;
  evhttp_send_reply_end(p->req);
  event_free(p->timer);
  delete p;
}

/// One SSE chunk as OpenAI streams them: every chunk has `created`; the first delta of a stream
/// names the role (`first`), as the official SDKs require.
/// What one stream chunk's delta carries besides content.
struct DeltaExtra {
  const char* reasoning_field = nullptr;  // with `reasoning`
  const std::string* reasoning = nullptr;
  const MockReply* tool = nullptr;  // the tool call: its head (id, name) or a piece
  const std::string* tool_arguments = nullptr;
  bool tool_head = false;
};

void UsageJson(Writer& w, const MockReply& reply) {
  w.Key("usage");
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(reply.prompt_tokens);
  w.Key("completion_tokens");
  w.Int64(reply.completion_tokens);
  w.Key("total_tokens");
  w.Int64(reply.prompt_tokens + reply.completion_tokens);
  if (!reply.reasoning.empty()) {  // W&B bills thinking as completion tokens, and says how many
    w.Key("completion_tokens_details");
    w.StartObject();
    w.Key("reasoning_tokens");
    w.Int64(reply.reasoning_tokens);
    w.EndObject();
  }
  w.EndObject();
}

/// A tool_calls array of one call; `arguments` is the whole or one piece of them.
void ToolCallJson(Writer& w, const MockReply& reply, const std::string& arguments, bool head,
                  bool stream) {
  w.Key("tool_calls");
  w.StartArray();
  w.StartObject();
  if (stream) {
    w.Key("index");
    w.Int(0);
  }
  if (head) {
    w.Key("id");
    w.String("call_" + std::to_string(StableHash(reply.tool_arguments) % 1000000007));
    w.Key("type");
    w.String("function");
  }
  w.Key("function");
  w.StartObject();
  if (head) {
    w.Key("name");
    w.String(reply.tool_name);
  }
  w.Key("arguments");
  w.String(arguments);
  w.EndObject();
  w.EndObject();
  w.EndArray();
}

std::string ChunkJson(const std::string& id, const std::string& model, const std::string* content,
                      const char* finish_reason, const MockReply* usage, bool first = false,
                      const DeltaExtra& extra = {}) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("id");
  w.String(id);
  w.Key("object");
  w.String("chat.completion.chunk");
  w.Key("created");
  w.Int64(static_cast<int64_t>(std::time(nullptr)));
  w.Key("model");
  w.String(model);
  w.Key("choices");
  w.StartArray();
  if (!usage) {
    w.StartObject();
    w.Key("index");
    w.Int(0);
    w.Key("delta");
    w.StartObject();
    if (first) {
      w.Key("role");
      w.String("assistant");
    }
    if (content) {
      w.Key("content");
      w.String(*content);
    }
    if (extra.reasoning) {
      w.Key(extra.reasoning_field);
      w.String(*extra.reasoning);
    }
    if (extra.tool) ToolCallJson(w, *extra.tool, *extra.tool_arguments, extra.tool_head, true);
    w.EndObject();
    w.Key("finish_reason");
    if (finish_reason)
      w.String(finish_reason);
    else
      w.Null();
    w.EndObject();
  }
  w.EndArray();
  if (usage) UsageJson(w, *usage);
  w.EndObject();
  return "data: " + std::string(buf.GetString(), buf.GetSize()) + "\n\n";
}

void StartStream(evhttp_request* req, MockServer::State& s, const MockModel& model,
                 const MockReply& reply, bool include_usage, const std::string& request_id) {
  auto* p = new StreamReply{&s, req, evhttp_request_get_connection(req), nullptr, {}, {}, 0};
  const std::string id = "chatcmpl-" + request_id;
  // The first token waits for the base latency (prefill); each later word for its tokens.
  const double scale = reply.delay_ms > 0 && reply.completion_tokens > 0
                           ? reply.delay_ms / (s.options.latency.base_ms +
                                               s.options.latency.per_token_ms *
                                                   static_cast<double>(reply.completion_tokens))
                           : 0;
  std::string role_delta;
  p->events.push_back(ChunkJson(id, model.id, &role_delta, nullptr, nullptr, /*first=*/true));
  p->gaps_ms.push_back(0);
  bool first = true;
  // One chunk per word: the thinking first (in its own field), then the answer or the tool call.
  auto words = [&](const std::string& text, auto&& chunk) {
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find(' ', start);
      end = end == std::string::npos ? text.size() : end + 1;
      const std::string piece = text.substr(start, end - start);
      const double gap =
          first ? s.options.latency.base_ms
                : s.options.latency.per_token_ms * static_cast<double>(RuleTokens(piece));
      p->events.push_back(chunk(piece));
      p->gaps_ms.push_back(gap * scale);
      start = end;
      first = false;
    }
  };
  words(reply.reasoning, [&](const std::string& piece) {
    DeltaExtra e;
    e.reasoning_field = s.options.reasoning_field.c_str();
    e.reasoning = &piece;
    return ChunkJson(id, model.id, nullptr, nullptr, nullptr, false, e);
  });
  words(reply.content, [&](const std::string& piece) {
    return ChunkJson(id, model.id, &piece, nullptr, nullptr);
  });
  bool head = true;
  if (!reply.tool_name.empty()) {
    words(reply.tool_arguments, [&](const std::string& piece) {
      DeltaExtra e;
      e.tool = &reply;
      e.tool_arguments = &piece;
      e.tool_head = std::exchange(head, false);
      return ChunkJson(id, model.id, nullptr, nullptr, nullptr, false, e);
    });
  }
  // The end comes one token after the last word, as a model's end-of-sequence token does.
  p->events.push_back(ChunkJson(id, model.id, nullptr, reply.finish_reason.c_str(), nullptr));
  p->gaps_ms.push_back(s.options.latency.per_token_ms * scale);
  if (include_usage) {
    p->events.push_back(ChunkJson(id, model.id, nullptr, nullptr, &reply));
    p->gaps_ms.push_back(0);
  }
  p->events.push_back("data: [DONE]\n\n");
  p->gaps_ms.push_back(0);

  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", "text/event-stream");
  evhttp_add_header(headers, "x-request-id", request_id.c_str());
  evhttp_send_reply_start(req, 200, "OK");
  s.max_in_flight = std::max(s.max_in_flight, ++s.in_flight);
  evhttp_connection_set_closecb(p->conn, OnStreamClosed, p);
  p->timer = evtimer_new(s.base, OnStreamTick, p);
  OnStreamTick(-1, 0, p);
}

/// Draws whether this 200 leaves out its usage (the --no-usage fault).
bool DropUsage(MockServer::State& s) {
  const double rate = s.options.faults.rate_no_usage;
  if (rate <= 0 || std::uniform_real_distribution<double>(0, 1)(s.rng) >= rate) return false;
  ++s.injected["no_usage"];
  return true;
}

/// A chat completion body, as OpenAI sends one.
std::string CompletionJson(const std::string& request_id, const MockModel& model,
                           const MockReply& reply, bool with_usage,
                           const std::string& reasoning_field) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("id");
  w.String("chatcmpl-" + request_id);
  w.Key("object");
  w.String("chat.completion");
  w.Key("created");
  w.Int64(static_cast<int64_t>(std::time(nullptr)));
  w.Key("model");
  w.String(model.id);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("message");
  w.StartObject();
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  if (reply.tool_name.empty())
    w.String(reply.content);
  else
    w.Null();  // a tool call instead of an answer, as OpenAI sends it
  // W&B sends the reasoning field on every answer: the thinking, or null for other models.
  w.Key(reasoning_field.c_str());
  if (reply.reasoning.empty())
    w.Null();
  else
    w.String(reply.reasoning);
  if (!reply.tool_name.empty()) ToolCallJson(w, reply, reply.tool_arguments, true, false);
  w.EndObject();
  w.Key("finish_reason");
  w.String(reply.finish_reason);
  w.EndObject();
  w.EndArray();
  if (with_usage) UsageJson(w, reply);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

/// The request's model, or the 400/404 an OpenAI server answers instead (sent here).
const MockModel* CheckRequest(const MockServer::State& s, evhttp_request* req,
                              const rapidjson::Document& doc, bool parsed,
                              const std::string& request_id) {
  if (!parsed || !doc.IsObject()) {
    Send(req, 400,
         ErrorBody("We could not parse the JSON body of your request.", "invalid_request_error",
                   "invalid_json"),
         request_id);
    return nullptr;
  }
  auto model_it = doc.FindMember("model");
  auto messages_it = doc.FindMember("messages");
  if (model_it == doc.MemberEnd() || !model_it->value.IsString()) {
    Send(req, 400,
         ErrorBody("you must provide a model parameter", "invalid_request_error", "missing_model"),
         request_id);
    return nullptr;
  }
  if (messages_it == doc.MemberEnd() || !messages_it->value.IsArray() ||
      messages_it->value.Empty()) {
    Send(req, 400,
         ErrorBody("'messages' must be a non-empty array", "invalid_request_error",
                   "invalid_messages"),
         request_id);
    return nullptr;
  }
  const MockModel* model = FindModel(s, model_it->value.GetString());
  if (!model) {
    Send(req, 404,
         ErrorBody(fmt::format("The model `{}` does not exist", model_it->value.GetString()),
                   "invalid_request_error", "model_not_found"),
         request_id);
  }
  return model;
}

/// Holds a reply on a timer for its latency; the client may hang up meanwhile.
void SendLater(evhttp_request* req, MockServer::State& s, std::string body,
               const std::string& request_id, double delay_ms) {
  auto* p = new PendingReply{
      &s, req, evhttp_request_get_connection(req), nullptr, std::move(body), request_id};
  s.max_in_flight = std::max(s.max_in_flight, ++s.in_flight);
  p->timer = evtimer_new(s.base, OnReplyDue, p);
  const auto us = static_cast<long long>(delay_ms * 1000);
  timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  evhttp_connection_set_closecb(p->conn, OnConnectionClosed, p);
  evtimer_add(p->timer, &tv);
}

/// The tool and answer form a request asks for.
MockAsk AskOf(const rapidjson::Document& doc) {
  MockAsk ask;
  if (auto tools = doc.FindMember("tools");
      tools != doc.MemberEnd() && tools->value.IsArray() && !tools->value.Empty()) {
    const rapidjson::Value& t = tools->value[0];
    if (t.IsObject() && t.HasMember("function") && t["function"].IsObject() &&
        t["function"].HasMember("name") && t["function"]["name"].IsString())
      ask.tool = t["function"]["name"].GetString();
    if (ask.tool.empty()) ask.tool = "answer";
  }
  if (auto tc = doc.FindMember("tool_choice"); tc != doc.MemberEnd() && tc->value.IsString() &&
                                               std::string_view(tc->value.GetString()) == "none")
    ask.tool.clear();
  if (auto rf = doc.FindMember("response_format"); rf != doc.MemberEnd() && rf->value.IsObject() &&
                                                   rf->value.HasMember("type") &&
                                                   rf->value["type"].IsString()) {
    const std::string_view type = rf->value["type"].GetString();
    ask.json = type == "json_object" || type == "json_schema";
  }
  return ask;
}

/// --reject-param: a 422 with FastAPI's `detail`, as W&B answers a parameter a model does not
/// support. True when it answered.
bool RejectParam(evhttp_request* req, MockServer::State& s, const rapidjson::Document& doc,
                 const std::string& request_id) {
  for (const std::string& name : s.options.reject_params) {
    if (!doc.HasMember(name.c_str())) continue;
    ++s.injected["reject_param"];
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("detail");
    w.StartArray();
    w.StartObject();
    w.Key("type");
    w.String("value_error");
    w.Key("loc");
    w.StartArray();
    w.String("body");
    w.String(name);
    w.EndArray();
    w.Key("msg");
    w.String(fmt::format("Value error, {} is not supported by this model", name));
    w.EndObject();
    w.EndArray();
    w.EndObject();
    Send(req, 422, std::string(buf.GetString(), buf.GetSize()), request_id);
    return true;
  }
  return false;
}

void HandleChat(evhttp_request* req, MockServer::State& s) {
  const std::string request_id = fmt::format("mock-{}", ++s.next_id);
  evbuffer* in = evhttp_request_get_input_buffer(req);
  const size_t len = evbuffer_get_length(in);
  const char* data =
      reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ev_ssize_t>(len)));
  const std::string_view body(data ? data : "", data ? len : 0);
  const uint64_t body_hash = StableHash(body);
  if (auto it = s.retry_not_before.find(body_hash); it != s.retry_not_before.end()) {
    if (std::chrono::steady_clock::now() < it->second) ++s.early_retries;
    s.retry_not_before.erase(it);
  }
  rapidjson::Document doc;
  const bool parsed = ParseBoundedJson(body, &doc);
  if (parsed && doc.IsObject() && doc.HasMember("model") && doc["model"].IsString() &&
      FindModel(s, doc["model"].GetString()))
    ++s.by_model[doc["model"].GetString()];
  const std::string& only = s.options.faults.only_model;
  const bool faulty = only.empty() || (parsed && doc.IsObject() && doc.HasMember("model") &&
                                       doc["model"].IsString() && only == doc["model"].GetString());
  if (faulty && InjectFault(req, s, body_hash, request_id)) return;
  const MockModel* model = CheckRequest(s, req, doc, parsed, request_id);
  if (!model) return;
  std::optional<long long> max_tokens;
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    auto it = doc.FindMember(key);
    if (it != doc.MemberEnd() && it->value.IsInt64()) max_tokens = it->value.GetInt64();
  }
  if (RejectParam(req, s, doc, request_id)) return;
  MockAsk ask = AskOf(doc);
  ask.judge_garbage = s.options.faults.judge_garbage;
  ask.tokens = &s.tokens;
  MockReply reply =
      MockComplete(*model, doc["messages"], max_tokens, s.options.latency, s.next_id, ask);
  if (auto st = doc.FindMember("stream");
      st != doc.MemberEnd() && st->value.IsBool() && st->value.GetBool()) {
    bool include_usage = false;
    if (auto so = doc.FindMember("stream_options"); so != doc.MemberEnd() && so->value.IsObject()) {
      auto iu = so->value.FindMember("include_usage");
      include_usage = iu != so->value.MemberEnd() && iu->value.IsBool() && iu->value.GetBool();
    }
    if (DropUsage(s)) include_usage = false;
    return StartStream(req, s, *model, reply, include_usage, request_id);
  }
  std::string json =
      CompletionJson(request_id, *model, reply, !DropUsage(s), s.options.reasoning_field);
  if (reply.delay_ms <= 0) return Send(req, 200, json, request_id);
  SendLater(req, s, std::move(json), request_id, reply.delay_ms);
}

void OnRequest(evhttp_request* req, void* arg) {
  auto& s = *static_cast<MockServer::State*>(arg);
  const char* uri = evhttp_request_get_uri(req);
  std::string path = uri ? uri : "";
  path = path.substr(0, path.find('?'));
  const auto method = evhttp_request_get_command(req);
  if (path == "/mock/stats") return HandleStats(req, s);
  // Counted before any check: tests use this to prove what was sent, refused or not.
  if (path == "/v1/chat/completions") {
    ++s.chat_requests;
    WakeStatWaiters(s);
    char* addr = nullptr;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr, &port);
    s.peers.insert(fmt::format("{}:{}", addr ? addr : "", port));
  }
  if (!Authorized(req, s.options)) {
    return Send(req, 401,
                ErrorBody("Authentication failed", "invalid_request_error", "invalid_api_key"), "");
  }
  if (path == "/v1/models" && method == EVHTTP_REQ_GET) return HandleModels(req, s);
  if (path == "/v1/chat/completions" && method == EVHTTP_REQ_POST) return HandleChat(req, s);
  if (path == "/v1/models" || path == "/v1/chat/completions") {
    return Send(req, 405,
                ErrorBody("method not allowed", "invalid_request_error", "method_not_allowed"), "");
  }
  Send(req, 404, ErrorBody("no such endpoint: " + path, "invalid_request_error", "not_found"), "");
}

void OnSignal(evutil_socket_t, short, void* arg) {
  event_base_loopexit(static_cast<event_base*>(arg), nullptr);
}

/// evhttp asks for a bufferevent per accepted connection: a TLS one when the server has a
/// certificate.
bufferevent* NewTlsBufferevent(event_base* base, void* arg) {
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(arg));
  return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                        BEV_OPT_CLOSE_ON_FREE);
}

Result<SSL_CTX*> MakeTlsContext(const std::string& cert, const std::string& key) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return Status::Internal("OpenSSL could not create a TLS context");
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    char err[256];
    ERR_error_string_n(ERR_get_error(), err, sizeof err);
    SSL_CTX_free(ctx);
    return Status::InvalidInput(fmt::format("--tls-cert {} / --tls-key {}: {}", cert, key, err));
  }
  return ctx;
}

}  // namespace

Result<std::unique_ptr<MockServer>> MockServer::Start(const MockServerOptions& options) {
  std::unique_ptr<MockServer> server(new MockServer());
  server->state_ = std::make_unique<State>();
  State& s = *server->state_;
  s.options = options;
  s.tokens = options.tokenizer ? TokenCounter(options.tokenizer) : TokenCounter();
  s.models = MockModels();
  for (const auto& [id, target] : options.aliases) {
    const MockModel* m = FindMockModel(target);
    // mock-judge is known by its id (it grades rather than answers); an alias would not judge.
    if (!m || m->id == "mock-judge")
      return Status::InvalidInput(fmt::format(
          "--serve-as {}={}: the second id must be mock-small, mock-medium, mock-large or "
          "mock-thinker",
          id, target));
    if (FindModel(s, id))
      return Status::InvalidInput(fmt::format("--serve-as {}: that id is served already", id));
    s.models.push_back(*m);
    s.models.back().id = id;
  }
  s.rng.seed(options.faults.seed);
  s.base = event_base_new();
  s.http = s.base ? evhttp_new(s.base) : nullptr;
  if (!s.http) return Status::Internal("libevent could not start");

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  if (inet_pton(AF_INET, options.host.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidInput(fmt::format("--host {}: not an IPv4 address", options.host));
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // A deep backlog: a client opening 1000+ connections at once must not see SYN retries.
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd, 8192) != 0) {
    std::string err = std::strerror(errno);
    if (fd >= 0) close(fd);
    return Status::Io(fmt::format("cannot listen on {}:{}: {}", options.host, options.port, err));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  s.port = ntohs(addr.sin_port);
  if (!evhttp_accept_socket_with_handle(s.http, fd)) {
    close(fd);
    return Status::Internal("evhttp could not accept on the socket");
  }
  if (!options.tls_cert.empty()) {
    auto ctx = MakeTlsContext(options.tls_cert, options.tls_key);
    if (!ctx.ok()) return ctx.status();
    s.ssl_ctx = ctx.value();
    evhttp_set_bevcb(s.http, NewTlsBufferevent, s.ssl_ctx);
  }
  evhttp_set_gencb(s.http, OnRequest, &s);
  evhttp_set_max_body_size(s.http, 16 << 20);
  evhttp_set_timeout(s.http, 600);
  evhttp_set_allowed_methods(s.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
  s.sigint = evsignal_new(s.base, SIGINT, OnSignal, s.base);
  s.sigterm = evsignal_new(s.base, SIGTERM, OnSignal, s.base);
  evsignal_add(s.sigint, nullptr);
  evsignal_add(s.sigterm, nullptr);
  return server;
}

MockServer::~MockServer() {
  if (!state_) return;
  if (state_->sigint) event_free(state_->sigint);
  if (state_->sigterm) event_free(state_->sigterm);
  if (state_->http) evhttp_free(state_->http);
  if (state_->base) event_base_free(state_->base);
  if (state_->ssl_ctx) SSL_CTX_free(state_->ssl_ctx);
}

std::string MockServer::base_url() const {
  return fmt::format("{}://{}:{}/v1", state_->ssl_ctx ? "https" : "http", state_->options.host,
                     state_->port);
}

void MockServer::Run() {
  event_base_dispatch(state_->base);
}

void MockServer::Stop() {
  event_base_loopexit(state_->base, nullptr);
}

}  // namespace evalrun
