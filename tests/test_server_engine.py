"""The server engine: fast tests against httpx.MockTransport, and one real llama_cpp.server on the tiny model."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from offline_report.llm.engine import Prompt
from offline_report.errors import EXIT_MODEL, ModelError
from offline_report.llm.models import bundled_model_path
from offline_report.llm.schema import VOTE_SCHEMA, tier_schema
from offline_report.llm.server import ServerEngine

BASE = "http://gpu-box:8080/v1"
SECRET = "sk-very-secret-key-0123456789"

from .support.llama_server import llama_server


def chat_answer(text: str, prompt_tokens: int = 30, completion_tokens: int = 5, cached: int | None = None,
                finish: str = "stop", logprobs: dict | None = None) -> dict:
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
    if logprobs is not None:
        choice["logprobs"] = logprobs
    return {"object": "chat.completion", "choices": [choice], "usage": usage}


class FakeServer:
    """An OpenAI-compatible server in a dict: routes map (method, path) to a response or a list of them."""

    def __init__(self, models=("qwen2.5-7b",), props: dict | None = None, key: str | None = None):
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.key = key
        self.routes: dict[tuple[str, str], object] = {
            ("GET", "/v1/models"): httpx.Response(200, json={"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "llamacpp"} for m in models]}),
        }
        if props is not None:
            self.routes[("GET", "/props")] = httpx.Response(200, json=props)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.key and request.headers.get("Authorization") != f"Bearer {self.key}":
            return httpx.Response(401, json={"error": {"message": "Invalid API key"}})
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return httpx.Response(404, json={"error": "not found"})
        if isinstance(route, list):
            route = route.pop(0) if len(route) > 1 else route[0]
        if callable(route):
            return route(request)
        if isinstance(route, BaseException):
            raise route
        return route

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]

    def engine(self, **kwargs) -> ServerEngine:
        engine = ServerEngine(kwargs.pop("base_url", BASE), transport=httpx.MockTransport(self), **kwargs)
        engine._sleep = self.sleeps.append
        return engine


@pytest.fixture
def server():
    return FakeServer()


def make_engine(fake: FakeServer, **kwargs) -> ServerEngine:
    return fake.engine(**kwargs)


# ---- start ----

def test_start_reads_slots_context_and_model_file_from_llama_server_props():
    fake = FakeServer(props={"total_slots": 6, "default_generation_settings": {"n_ctx": 8192},
                             "model_path": "/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "chat_template": "{{x}}"})
    engine = make_engine(fake)
    assert engine.parallel == 6 and engine.n_ctx == 8192 and engine.kind == "llama-server"
    assert engine.model == "qwen2.5-7b"
    assert engine.model_id == "qwen2.5-7b | Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    assert engine.has_chat_template
    assert make_engine(fake, parallel=2).parallel == 2  # overridable


def test_defaults_when_the_server_reports_no_slots():
    fake = FakeServer()
    engine = make_engine(fake)
    assert engine.parallel == 4 and engine.n_ctx == 4096 and engine.kind == "openai"


def test_vllm_context_comes_from_max_model_len():
    fake = FakeServer()
    fake.routes[("GET", "/v1/models")] = httpx.Response(200, json={"data": [
        {"id": "Qwen/Qwen2.5-7B-Instruct", "owned_by": "vllm", "max_model_len": 8192, "root": "/srv/qwen"}]})
    engine = make_engine(fake)
    assert engine.kind == "vllm" and engine.n_ctx == 8192 and engine.parallel == 4
    assert engine.model_id == "Qwen/Qwen2.5-7B-Instruct | qwen"


def test_a_base_url_without_v1_is_found():
    fake = FakeServer()
    engine = make_engine(fake, base_url="http://gpu-box:8080")
    assert engine.base_url == "http://gpu-box:8080/v1"


def test_wrong_path_is_a_model_error_with_a_hint():
    fake = FakeServer()
    with pytest.raises(ModelError) as info:
        make_engine(fake, base_url="http://gpu-box:8080/api/v2")
    assert "404" in info.value.message and "/v1" in info.value.hint
    assert info.value.exit_code == EXIT_MODEL


def test_unknown_model_name_lists_the_servers_models():
    fake = FakeServer(models=("llama-3.1-8b", "qwen2.5-7b"))
    with pytest.raises(ModelError) as info:
        make_engine(fake, model="mistral")
    assert "'mistral'" in info.value.message
    assert "llama-3.1-8b" in info.value.message and "qwen2.5-7b" in info.value.message
    assert "--server-model" in info.value.hint


def test_several_models_and_none_chosen_asks_for_server_model():
    fake = FakeServer(models=("llama-3.1-8b", "qwen2.5-7b"))
    with pytest.raises(ModelError) as info:
        make_engine(fake)
    assert "--server-model" in info.value.hint
    assert make_engine(fake, model="qwen2.5-7b").model == "qwen2.5-7b"


def test_401_names_api_key_env_and_never_shows_the_key():
    fake = FakeServer(key="the-right-key")
    with pytest.raises(ModelError) as info:
        make_engine(fake, api_key=SECRET, base_url=f"http://user:{SECRET}@gpu-box:8080/v1")
    text = f"{info.value.message} {info.value.hint} {info.value!r}"
    assert "--api-key-env" in info.value.hint and "401" in info.value.message
    assert SECRET not in text
    assert len(fake.requests) == 1  # not retried


def test_the_api_key_is_sent_as_a_bearer_token():
    fake = FakeServer(key=SECRET)
    engine = make_engine(fake, api_key=SECRET)
    assert engine.model == "qwen2.5-7b"
    assert SECRET not in repr(engine)


def test_unreachable_server_is_a_model_error_saying_what_to_do():
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ModelError) as info:
        ServerEngine(f"http://127.0.0.1:{port}/v1", timeout=5)
    assert "cannot reach" in info.value.message and "start the server" in info.value.hint


def test_tls_failure_is_a_model_error_with_a_hint():
    def handler(request):
        raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", request=request)

    with pytest.raises(ModelError) as info:
        ServerEngine("https://gpu-box/v1", transport=httpx.MockTransport(handler))
    assert "TLS" in info.value.message and "certificate" in info.value.hint


def test_hung_request_times_out_into_a_model_error():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(ModelError) as info:
            ServerEngine(f"http://127.0.0.1:{listener.getsockname()[1]}/v1", timeout=0.5)
    finally:
        listener.close()
        for conn, _ in accepted:
            conn.close()
    assert time.monotonic() - started < 5
    assert "did not answer within 0.5s" in info.value.message and info.value.hint


# ---- retries ----

def test_retries_on_503_then_succeeds(server):
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = [
        httpx.Response(503, text="busy"), httpx.Response(503, text="busy"),
        httpx.Response(200, json=chat_answer('{"summary": "ok"}'))]
    completion = engine.complete(Prompt("sys", "user"), tier_schema("low"), 50, 1)
    assert json.loads(completion.text) == {"summary": "ok"}
    assert len(server.bodies("/v1/chat/completions")) == 3
    assert len(server.sleeps) == 2 and server.sleeps[1] >= server.sleeps[0] * 1.0  # exponential


def test_429_honours_retry_after(server):
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = [
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=chat_answer('{"summary": "ok"}'))]
    engine.complete(Prompt("sys", "user"), tier_schema("low"), 50, 1)
    assert server.sleeps == [7.0]


def test_retries_are_bounded_and_end_in_a_model_error(server):
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = [httpx.Response(502)]
    with pytest.raises(ModelError) as info:
        engine.complete(Prompt("sys", "user"), None, 50, 1)
    assert len(server.bodies("/v1/chat/completions")) == 4  # the first try and 3 retries
    assert "stopped answering" in info.value.message and info.value.hint


def test_server_dying_mid_run_is_retried_then_a_model_error(server):
    engine = make_engine(server)

    def reset(request):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    server.routes[("POST", "/v1/chat/completions")] = [reset, reset, reset, reset]
    with pytest.raises(ModelError) as info:
        engine.complete(Prompt("sys", "user"), None, 50, 1)
    assert "connection dropped" in info.value.message and "still running" in info.value.hint
    server.routes[("POST", "/v1/chat/completions")] = [reset, httpx.Response(200, json=chat_answer("fine"))]
    assert engine.complete(Prompt("sys", "user"), None, 50, 1).text == "fine"


def test_ctrl_c_is_not_retried(server):
    engine = make_engine(server)
    calls = []

    def interrupt(request):
        calls.append(request)
        raise KeyboardInterrupt

    server.routes[("POST", "/v1/chat/completions")] = [interrupt]
    with pytest.raises(KeyboardInterrupt):
        engine.complete(Prompt("sys", "user"), None, 50, 1)
    assert len(calls) == 1 and server.sleeps == []


# ---- prompts, structured output, usage ----

def test_chat_prompt_carries_messages_and_the_schema_in_order(server):
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = httpx.Response(200, json=chat_answer(
        json.dumps({"type": "fix", "importance": "low", "reason": "small"}), prompt_tokens=100, cached=60))
    prompt = Prompt("You rate commits.", "Commit: fix a typo")  # typed: no chat messages hidden in a string
    completion = engine.complete(prompt, VOTE_SCHEMA, 48, 7)
    raw = server.requests[-1].content.decode()
    body = json.loads(raw)
    assert body["messages"] == [{"role": "system", "content": "You rate commits."},
                                {"role": "user", "content": "Commit: fix a typo"}]
    assert body["seed"] == 7 and body["max_tokens"] == 48 and body["model"] == "qwen2.5-7b"
    sent = body["response_format"]["json_schema"]["schema"]
    assert list(sent["properties"]) == ["type", "importance", "reason"]  # never sorted
    assert raw.index('"type"') < raw.index('"importance"') < raw.index('"reason"')
    assert sent == VOTE_SCHEMA
    assert (completion.prompt_tokens, completion.evaluated_prompt_tokens, completion.generated_tokens) == (100, 40, 5)
    assert completion.finish_reason == "stop"


def test_auto_structured_falls_back_once_and_remembers(server):
    engine = make_engine(server)

    def answer(request):
        body = json.loads(request.content)
        if body.get("response_format", {}).get("type") == "json_schema":
            # what llama_cpp.server answers: a 500 that carries the validation error
            return httpx.Response(500, json={"error": {"message": "1 validation error:\n {'type': 'literal_error', "
                                                       "'msg': \"Input should be 'text' or 'json_object'\"}"}})
        if "schema" in body.get("response_format", {}):
            return httpx.Response(200, json=chat_answer('{"summary": "constrained"}'))
        return httpx.Response(200, json=chat_answer("Sure! Here is the summary."))

    server.routes[("POST", "/v1/chat/completions")] = answer
    prompt = Prompt("sys", "user")
    assert engine.complete(prompt, tier_schema("low"), 50, 1).text == '{"summary": "constrained"}'
    assert engine.complete(prompt, tier_schema("low"), 50, 1).text == '{"summary": "constrained"}'
    styles = [b.get("response_format", {}).get("type") for b in server.bodies("/v1/chat/completions")]
    assert styles == ["json_schema", "json_object", "json_object"]
    assert server.sleeps == []  # a refused body is not retried


def test_auto_structured_moves_on_when_a_style_is_ignored(server):
    engine = make_engine(server)

    def answer(request):
        body = json.loads(request.content)
        text = '{"summary": "guided"}' if "guided_json" in body else "I think this commit fixes a bug."
        return httpx.Response(200, json=chat_answer(text))

    server.routes[("POST", "/v1/chat/completions")] = answer
    prompt = Prompt("sys", "user")
    assert engine.complete(prompt, tier_schema("low"), 50, 1).text == '{"summary": "guided"}'
    engine.complete(prompt, tier_schema("low"), 50, 1)
    assert "guided_json" in server.bodies("/v1/chat/completions")[-1]
    assert len(server.bodies("/v1/chat/completions")) == 5


def test_context_overflow_says_what_to_do(server):
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = httpx.Response(
        400, json={"error": {"message": "Requested tokens (5000) exceed context window of 4096"}})
    with pytest.raises(ModelError) as info:
        engine.complete(Prompt("sys", "user"), tier_schema("low"), 50, 1)
    assert "--ctx" in info.value.hint


def test_no_chat_template_uses_plain_completions():
    fake = FakeServer(props={"total_slots": 1, "default_generation_settings": {"n_ctx": 2048}, "chat_template": ""})
    engine = make_engine(fake)
    fake.routes[("POST", "/v1/completions")] = httpx.Response(200, json={
        "choices": [{"text": '{"summary": "plain"}', "finish_reason": "length"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 50}, "timings": {"cache_n": 10}})
    prompt = Prompt("sys", "user")
    completion = engine.complete(prompt, tier_schema("low"), 50, 1)
    assert fake.bodies("/v1/completions")[0]["prompt"] == prompt.plain and prompt.plain.startswith("sys\n\nuser")
    assert completion.finish_reason == "length" and completion.evaluated_prompt_tokens == 2


# ---- tokens ----

def test_count_tokens_uses_the_rendered_template_and_the_server_tokenizer():
    fake = FakeServer(props={"total_slots": 2, "default_generation_settings": {"n_ctx": 4096}, "chat_template": "x"})
    engine = make_engine(fake)
    fake.routes[("POST", "/apply-template")] = lambda r: httpx.Response(200, json={"prompt": "<|im_start|>" + "".join(
        m["content"] for m in json.loads(r.content)["messages"])})
    fake.routes[("POST", "/tokenize")] = lambda r: httpx.Response(200, json={
        "tokens": list(range(len(json.loads(r.content)["content"].split())))})
    prompt = Prompt("one two", "three four five " + "word " * 300)
    assert engine.count_tokens(prompt) == 304  # "<|im_start|>one twothree four five word ..." -> 304 words
    assert engine.count_tokens(prompt) == 304
    assert len(fake.bodies("/tokenize")) == 1 and len(fake.bodies("/apply-template")) == 1  # remembered
    # A diff line is estimated, not sent: fitting an excerpt must not cost one request per line.
    assert engine.count_tokens("+    return rows\n") == 6
    assert len(fake.bodies("/tokenize")) == 1


def test_count_tokens_estimates_when_the_server_cannot_tokenize(server):
    engine = make_engine(server)
    assert engine.count_tokens("abcdef") == 2
    assert engine.count_tokens("提交") == 2  # UTF-8 bytes / 3: Chinese is not underestimated
    chat = engine.count_tokens(Prompt("abc", "def"))
    assert chat == 1 + 1 + 3 * 8


# ---- score_options ----

def test_score_options_reads_top_logprobs():
    fake = FakeServer(props={"total_slots": 2, "default_generation_settings": {"n_ctx": 4096}, "chat_template": "x"})
    engine = make_engine(fake)
    fake.routes[("POST", "/apply-template")] = httpx.Response(200, json={"prompt": "<chat>"})
    fake.routes[("POST", "/v1/completions")] = httpx.Response(200, json={"choices": [{"text": "high", "logprobs": {
        "content": [{"token": "high", "logprob": -0.1, "top_logprobs": [
            {"token": "high", "logprob": -0.1}, {"token": "med", "logprob": -2.5}, {"token": "x", "logprob": -3.0}]}]},
        "finish_reason": "length"}], "usage": {"prompt_tokens": 5, "completion_tokens": 1}})
    scores = engine.score_options(Prompt("s", "u", prefix='{"importance": "'),
                                  ["high", "medium", "low"])
    assert scores["high"] == -0.1 and scores["medium"] == -2.5 and scores["low"] == float("-inf")
    body = fake.bodies("/v1/completions")[0]
    assert body["prompt"] == '<chat>{"importance": "' and body["max_tokens"] == 1 and body["logprobs"] == 20


def test_score_options_without_logprobs_is_not_implemented(server):
    engine = make_engine(server)
    with pytest.raises(NotImplementedError):  # no /apply-template: cannot continue an answer prefix
        engine.score_options(Prompt("s", "u", prefix='{"importance": "'), ["high", "low"])
    server.routes[("POST", "/v1/chat/completions")] = httpx.Response(200, json=chat_answer("high"))
    with pytest.raises(NotImplementedError):  # the answer carries no logprobs
        engine.score_options(Prompt("s", "u"), ["high", "low"])


# ---- threads ----

def test_complete_from_many_threads(server):
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = lambda r: httpx.Response(200, json=chat_answer(
        json.dumps({"summary": json.loads(r.content)["messages"][1]["content"]})))
    with ThreadPoolExecutor(8) as pool:
        texts = list(pool.map(lambda i: engine.complete(Prompt("s", f"c{i}"), tier_schema("low"),
                                                        20, i).text, range(32)))
    assert [json.loads(t)["summary"] for t in texts] == [f"c{i}" for i in range(32)]


# ---- the real server ----

@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    with llama_server(tmp_path_factory.mktemp("llama-server")) as url:
        yield url


@pytest.fixture
def local_only(monkeypatch):
    """Any connection to an address other than 127.0.0.1 fails the test."""
    attempts = []
    real_connect = socket.socket.connect
    real_create = socket.create_connection

    def connect(sock, address):
        attempts.append(address)
        if isinstance(address, tuple) and address[0] != "127.0.0.1":
            raise AssertionError(f"connection to {address} attempted")
        return real_connect(sock, address)

    def create_connection(address, *args, **kwargs):
        attempts.append(address)
        if address[0] != "127.0.0.1":
            raise AssertionError(f"connection to {address} attempted")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


@pytest.mark.real_model
def test_real_llama_cpp_server_gives_schema_bound_json(real_server, local_only):
    with ServerEngine(real_server, n_ctx=2048, timeout=120) as engine:
        assert engine.kind == "llama-cpp-python" and engine.parallel == 1
        assert engine.model_id.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
        prompt = Prompt("You summarise git commits. Reply with JSON.",
                                      "Commit: fix: handle an empty commit message")
        tokens = engine.count_tokens(prompt)
        assert 10 < tokens < 200
        completion = engine.complete(prompt, tier_schema("low"), 60, 1)
        assert completion.finish_reason in ("stop", "length")
        if completion.finish_reason == "stop":
            assert isinstance(json.loads(completion.text)["summary"], str)
        assert completion.prompt_tokens > 0 and completion.generated_tokens > 0
        with ThreadPoolExecutor(2) as pool:
            both = list(pool.map(lambda i: engine.complete(Prompt(
                "You summarise git commits. Reply with JSON.", f"Commit {i}: docs: fix a typo"),
                tier_schema("low"), 40, i), range(2)))
        for c in both:
            if c.finish_reason == "stop":
                assert "summary" in json.loads(c.text)
        # score_options: llama_cpp.server cannot continue an answer prefix in a chat; the caller votes in JSON
        with pytest.raises(NotImplementedError):
            engine.score_options(Prompt("Rate it.", "Commit: docs", prefix='{"importance": "'),
                                 ["high", "medium", "low"])
    assert local_only and all(a[0] == "127.0.0.1" for a in local_only if isinstance(a, tuple))


def test_only_the_configured_host_is_contacted(server, local_only):
    """With a mock transport nothing reaches the network at all; with a real socket only 127.0.0.1 would."""
    engine = make_engine(server)
    server.routes[("POST", "/v1/chat/completions")] = httpx.Response(200, json=chat_answer('{"summary": "ok"}'))
    engine.complete(Prompt("s", "u"), tier_schema("low"), 20, 1)
    assert local_only == []
    assert {r.url.host for r in server.requests} == {"gpu-box"}
