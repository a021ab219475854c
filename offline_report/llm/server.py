"""The server engine: an OpenAI-compatible inference server (llama-server, llama_cpp.server, vLLM) over HTTP.

The only module that speaks HTTP. It implements the same seam as the in-process engine (`engine.Engine`),
plus `model_id` (for the cache key) and `parallel` (how many requests the server runs at once).

Prompts (`engine.Prompt`: system, user, answer prefix): the server applies its own chat template, so the
messages go to its chat endpoint (or its /apply-template, then /completions, when an answer prefix must follow).
When the server has no chat template, the prompt's plain text goes to the completions endpoint (as the
in-process engine does without one); a plain string is raw text for /completions.
"""

from __future__ import annotations

import email.utils
import json
import math
import random
import ssl
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from ..catalog import Phrase
from ..errors import ModelError
from .engine import DEFAULT_TEMPERATURE, Completion, Prompt

class _OnFirstUse:
    """httpx, imported when first used: importing httpx imports click (its own command line), and the library
    core imports no command-line package until a server is actually contacted."""

    def __getattr__(self, name: str):
        import httpx as module

        globals()["httpx"] = module
        return getattr(module, name)


httpx = _OnFirstUse()

DEFAULT_PARALLEL = 4
DEFAULT_N_CTX = 4096
TOP_LOGPROBS = 20
BACKOFF_BASE_S = 0.5
MAX_WAIT_S = 60.0
CHARS_PER_TOKEN = 3  # the estimate, over UTF-8 bytes, when the server cannot tokenize
CHAT_MESSAGE_OVERHEAD = 8  # template tokens per message when the server cannot render its template
RETRY_STATUS = {429, 500, 502, 503, 504}
# How a JSON schema is sent, in the order "auto" tries them.
STRUCTURED_STYLES = ("response_format", "json_object", "json_schema", "guided_json")


def _redact_url(url: str) -> str:
    """The URL without user:password@."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        parts = parts._replace(netloc=host)
    return urlunsplit(parts)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _is_tls_error(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def matches_schema(value, schema: dict) -> bool:
    """A light check of a decoded answer against the subset of JSON schema that schema.py uses."""
    kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        return False
    if kind == "object":
        if not isinstance(value, dict):
            return False
        properties = schema.get("properties", {})
        if any(key not in value for key in schema.get("required", ())):
            return False
        if schema.get("additionalProperties") is False and any(key not in properties for key in value):
            return False
        return all(matches_schema(value[key], sub) for key, sub in properties.items() if key in value)
    if kind == "array":
        return isinstance(value, list) and all(matches_schema(item, schema.get("items", {})) for item in value)
    if kind == "string":
        return isinstance(value, str)
    if kind in ("number", "integer"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


def _valid_answer(text: str, schema: dict) -> bool:
    try:
        return matches_schema(json.loads(text), schema)
    except ValueError:
        return False


class _Rejected(Exception):
    """The server refused a request's body (400/422): the structured-output style, most likely."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


# Texts shorter than this are estimated instead of sent to the server's tokenizer.
SERVER_COUNT_MIN_CHARS = 1000


class ServerEngine:
    """An OpenAI-compatible inference server, reached with one shared (thread-safe) httpx client."""

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 parallel: int | None = None, timeout: float = 120.0, retries: int = 3,
                 structured: str = "auto", transport: httpx.BaseTransport | None = None,
                 n_ctx: int | None = None):
        if structured != "auto" and structured not in STRUCTURED_STYLES:
            raise ValueError(f"structured must be 'auto' or one of {STRUCTURED_STYLES}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.structured = structured
        self._api_key = api_key or None
        self._sleep = time.sleep  # tests replace it
        self._lock = threading.Lock()
        self._token_memo: dict[str, int] = {}
        self._render_memo: dict[str, str] = {}
        self._styles: dict[str, str] = {}  # endpoint -> the structured-output style that worked
        if structured != "auto":
            self._styles = {"chat": structured, "completion": structured}
        self._tokenize_route: tuple[str, str] | None | bool = False  # False: not probed yet; None: none
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        self._client = httpx.Client(
            headers=headers, transport=transport, follow_redirects=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=max(8, (parallel or DEFAULT_PARALLEL) * 2),
                                max_keepalive_connections=max(8, (parallel or DEFAULT_PARALLEL) * 2)),
        )
        self._started = False
        try:
            self._start(model, parallel, n_ctx)
        except BaseException:
            self._client.close()
            raise
        self._started = True

    # ---- start: what the server serves ----

    def _start(self, model: str | None, parallel: int | None, n_ctx: int | None) -> None:
        models = self._list_models()
        ids = [entry.get("id") for entry in models if entry.get("id")]
        if not ids:
            raise ModelError("server_no_models", url=self._shown(self.base_url))
        if model is None:
            if len(ids) > 1:
                raise ModelError("server_several_models", url=self._shown(self.base_url), models=", ".join(ids))
            model = ids[0]
        elif model not in ids:
            raise ModelError("server_model_unknown", url=self._shown(self.base_url), model=model, models=", ".join(ids))
        entry = next(e for e in models if e.get("id") == model)
        self.model = model
        self.root_url = self.base_url[: -len("/v1")] if self.base_url.endswith("/v1") else self.base_url
        props = self._props()
        self.kind = ("llama-server" if props is not None else "vllm" if entry.get("owned_by") == "vllm"
                     or "max_model_len" in entry else "llama-cpp-python" if entry.get("owned_by") == "me"
                     else "openai")
        settings = (props or {}).get("default_generation_settings") or {}
        self.n_ctx = int(n_ctx or settings.get("n_ctx") or (props or {}).get("n_ctx")
                         or entry.get("max_model_len") or DEFAULT_N_CTX)
        slots = (props or {}).get("total_slots")
        # llama_cpp.server runs one request at a time behind a lock: more would only queue (and time out).
        reported = int(slots) if slots else 1 if self.kind == "llama-cpp-python" else None
        self.parallel = int(parallel or reported or DEFAULT_PARALLEL)
        self.has_chat_template = bool(props.get("chat_template", True)) if props is not None else True
        self.model_id = self._model_id(entry, props)
        self._renders_template = self.kind == "llama-server"  # POST /apply-template, probed on first use

    def _list_models(self) -> list[dict]:
        response = self._request("GET", f"{self.base_url}/models")
        if response.status_code == 404 and not self.base_url.endswith("/v1"):
            response = self._request("GET", f"{self.base_url}/v1/models")
            if response.status_code != 404:
                self.base_url += "/v1"
        if response.status_code == 404:
            raise ModelError("server_no_api", url=self._shown(self.base_url))
        data = self._json(response, "/models")
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ModelError("server_no_model_list", url=self._shown(self.base_url))
        return [e for e in entries if isinstance(e, dict)]

    def _props(self) -> dict | None:
        """llama-server's /props (slots, context, model file, chat template); None on other servers."""
        try:
            response = self._request("GET", f"{self.root_url}/props", retry=False)
        except ModelError:
            return None
        if response.status_code != 200:
            return None
        try:
            data = response.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) and ("total_slots" in data or "default_generation_settings" in data) \
            else None

    def _model_id(self, entry: dict, props: dict | None) -> str:
        """The model's identity for the cache key: its id, and the file and size where the server says them."""
        parts = [str(entry["id"])]
        path = (props or {}).get("model_path") or entry.get("root")
        if path and str(path) != parts[0]:
            parts.append(str(path).replace("\\", "/").rsplit("/", 1)[-1])
        meta = entry.get("meta") or {}
        facts = [f"{key}={meta[key]}" for key in ("n_params", "size", "n_vocab") if meta.get(key) is not None]
        if facts:
            parts.append(",".join(facts))
        return " | ".join(parts)

    # ---- HTTP ----

    def _shown(self, text: str) -> str:
        """Text safe to show: no URL credentials, no API key."""
        text = _redact_url(text) if text.startswith(("http://", "https://")) else text
        return text.replace(self._api_key, "***") if self._api_key else text

    def _request(self, method: str, url: str, body: dict | None = None, retry: bool = True) -> httpx.Response:
        """One request, retried on 429, 5xx and dropped connections with backoff; errors become ModelError.

        KeyboardInterrupt is never caught: Ctrl-C stops at once."""
        shown = self._shown(url)
        content = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else None
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            wait = None
            try:
                response = self._client.request(method, url, content=content, headers=headers)
            except httpx.TimeoutException as exc:
                raise ModelError("server_timeout", url=shown, seconds=f"{self.timeout:g}") from exc
            except httpx.ConnectError as exc:
                if _is_tls_error(exc):
                    raise ModelError("server_tls", url=shown, detail=self._shown(str(exc))) from exc
                if not self._started:
                    raise ModelError("server_unreachable", url=shown, detail=self._shown(str(exc))) from exc
                failure = Phrase("problems", "connection_failed", detail=self._shown(str(exc)))
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                failure = Phrase("problems", "connection_dropped", detail=self._shown(str(exc)) or type(exc).__name__)
            except httpx.HTTPError as exc:
                raise ModelError("server_request_failed", url=shown, detail=self._shown(str(exc))) from exc
            else:
                status = response.status_code
                if status in (401, 403):
                    raise ModelError("server_key_refused" if self._api_key else "server_key_needed", "api_key",
                                     url=shown, status=status)
                if status not in RETRY_STATUS or _is_rejection(response):
                    return response
                failure = f"{status} {response.reason_phrase}".strip()
                wait = _retry_after(response.headers.get("Retry-After"))
            if attempt + 1 < attempts:
                backoff = BACKOFF_BASE_S * 2 ** attempt
                self._sleep(min(MAX_WAIT_S, wait if wait is not None else backoff + random.uniform(0, backoff)))
        if self._started:
            raise ModelError("server_stopped", url=shown, failure=failure, attempts=attempts)
        raise ModelError("server_not_ready", url=shown, failure=failure, attempts=attempts)

    def _json(self, response: httpx.Response, what: str):
        try:
            return response.json()
        except ValueError as exc:
            raise ModelError("server_not_json", what=what, status=response.status_code) from exc

    def _post(self, path: str, body: dict, root: bool = False) -> dict:
        """POST a request; 400/422 become _Rejected, other errors ModelError."""
        url = f"{self.root_url if root else self.base_url}{path}"
        response = self._request("POST", url, body)
        if _is_rejection(response):
            raise _Rejected(response.status_code, self._shown(response.text[:500]))
        if response.status_code == 404:
            raise ModelError("server_no_endpoint", url=self._shown(url))
        if response.status_code >= 400:
            raise ModelError("server_error", "server_log", status=response.status_code, path=path,
                             detail=self._shown(response.text[:200]))
        return self._json(response, path)

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"ServerEngine({self._shown(self.base_url)!r}, model={self.model!r})"

    # ---- prompts ----

    def _decode(self, prompt: Prompt | str) -> tuple[list[dict], str] | None:
        """(messages, answer prefix) for the chat path; None for text sent as it is."""
        if isinstance(prompt, str) or not self.has_chat_template:
            return None
        return prompt.messages(), prompt.prefix

    @staticmethod
    def _text(prompt: Prompt | str) -> str:
        return prompt if isinstance(prompt, str) else prompt.plain

    def _rendered(self, messages: list[dict]) -> str | None:
        """The prompt text the server's template makes of the messages (llama-server's /apply-template)."""
        if not self._renders_template:
            return None
        key = json.dumps(messages, ensure_ascii=False)
        with self._lock:
            if key in self._render_memo:
                return self._render_memo[key]
        try:
            data = self._post("/apply-template", {"messages": messages}, root=True)
        except (_Rejected, ModelError):
            self._renders_template = False
            return None
        rendered = data.get("prompt") if isinstance(data, dict) else None
        if not isinstance(rendered, str):
            self._renders_template = False
            return None
        with self._lock:
            if len(self._render_memo) > 256:
                self._render_memo.clear()
            self._render_memo[key] = rendered
        return rendered

    # ---- tokens ----

    def _tokenize_routes(self) -> list[tuple[str, str]]:
        """(path under the root, body style) to try, the server's own first."""
        routes = {"llama-server": [("/tokenize", "content")],
                  "llama-cpp-python": [("/tokenize/count", "input"), ("/extras/tokenize/count", "input")],
                  "vllm": [("/tokenize", "prompt")]}
        first = routes.get(self.kind, [])
        rest = [r for rs in routes.values() for r in rs if r not in first]
        return first + rest

    def _server_count(self, text: str) -> int | None:
        route = self._tokenize_route
        candidates = self._tokenize_routes() if route is False else [route] if route else []
        for path, style in candidates:
            body = {"content": {"content": text, "add_special": False},
                    "input": {"input": text, "model": self.model},
                    "prompt": {"prompt": text, "model": self.model, "add_special_tokens": False}}[style]
            try:
                data = self._post(path, body, root=True)
            except (_Rejected, ModelError):
                if route is False:
                    continue
                raise
            count = data.get("count") if isinstance(data, dict) else None
            tokens = data.get("tokens") if isinstance(data, dict) else None
            if count is None and isinstance(tokens, list):
                count = len(tokens)
            if isinstance(count, int):
                self._tokenize_route = (path, style)
                return count
        self._tokenize_route = None
        return None

    def _count_text(self, text: str) -> int:
        if len(text) < SERVER_COUNT_MIN_CHARS:
            # The diff excerpt is fitted line by line: one HTTP round trip per line would cost more than the
            # answer. A short piece is estimated (bytes / 3 over-counts code a little, so budgets still hold);
            # the whole prompt is always counted by the server before it is sent.
            return math.ceil(len(text.encode("utf-8")) / CHARS_PER_TOKEN)
        with self._lock:
            if text in self._token_memo:
                return self._token_memo[text]
        count = self._server_count(text) if text else 0
        if count is None:
            count = math.ceil(len(text.encode("utf-8")) / CHARS_PER_TOKEN)
        with self._lock:
            if len(self._token_memo) > 20000:
                self._token_memo.clear()
            self._token_memo[text] = count
        return count

    def count_tokens(self, text: str | Prompt) -> int:
        """Tokens the server will see: its tokenizer where it has one (of its rendered template where it can
        render one), else UTF-8 bytes / 3."""
        decoded = self._decode(text)
        if decoded is None:
            return self._count_text(self._text(text))
        messages, prefix = decoded
        rendered = self._rendered(messages)
        if rendered is not None:
            return self._count_text(rendered + prefix)
        return (sum(self._count_text(m["content"]) + CHAT_MESSAGE_OVERHEAD for m in messages)
                + CHAT_MESSAGE_OVERHEAD + self._count_text(prefix))

    # ---- completions ----

    def _request_for(self, prompt: Prompt | str) -> tuple[str, str, dict]:
        """(endpoint kind, path, body) for a prompt."""
        decoded = self._decode(prompt)
        if decoded is None:
            return "completion", "/completions", {"prompt": self._text(prompt)}
        messages, prefix = decoded
        if not prefix:
            return "chat", "/chat/completions", {"messages": messages}
        rendered = self._rendered(messages)
        if rendered is not None:
            return "completion", "/completions", {"prompt": rendered + prefix}
        if self.kind == "vllm":
            return "chat", "/chat/completions", {
                "messages": messages + [{"role": "assistant", "content": prefix}],
                "continue_final_message": True, "add_generation_prompt": False}
        raise NotImplementedError(f"{self.kind} cannot continue an assistant answer prefix")

    @staticmethod
    def _with_schema(body: dict, schema: dict, style: str) -> dict:
        if style == "response_format":
            return body | {"response_format": {"type": "json_schema",
                                               "json_schema": {"name": "answer", "strict": True, "schema": schema}}}
        if style == "json_object":
            return body | {"response_format": {"type": "json_object", "schema": schema}}
        if style == "json_schema":
            return body | {"json_schema": schema}
        return body | {"guided_json": schema}

    def complete(self, prompt: Prompt | str, schema: dict | None, max_tokens: int, seed: int) -> Completion:
        endpoint, path, body = self._request_for(prompt)
        body = {"model": self.model, **body, "max_tokens": max_tokens, "temperature": DEFAULT_TEMPERATURE,
                "seed": seed, "stream": False}
        started = time.monotonic()
        if schema is None:
            return self._completion(self._post(path, body), endpoint, started)
        known = self._styles.get(endpoint)
        styles = [known] if known else list(STRUCTURED_STYLES)
        first_accepted = None
        result = None
        rejections = []
        for style in styles:
            try:
                data = self._post(path, self._with_schema(body, schema, style))
            except _Rejected as exc:
                if known or _context_overflow(exc.detail):
                    raise ModelError("server_refused", _context_hint(exc.detail), status=exc.status,
                                     detail=exc.detail) from exc
                rejections.append(f"{style}: {exc.detail[:120]}")
                continue
            result = self._completion(data, endpoint, started)
            first_accepted = first_accepted or style
            if known or result.finish_reason == "length" or _valid_answer(result.text, schema):
                with self._lock:
                    self._styles.setdefault(endpoint, style)
                return result
        if result is None:
            raise ModelError("server_no_schema", details="; ".join(rejections))
        with self._lock:  # no style gave a valid answer: settle on the first the server took, stop probing
            self._styles.setdefault(endpoint, first_accepted)
        return result

    def _completion(self, data: dict, endpoint: str, started: float) -> Completion:
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] if endpoint == "chat" else choice["text"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ModelError("server_no_choices", "server_log") from exc
        usage = data.get("usage") or {}
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        if cached is None:
            cached = (data.get("timings") or {}).get("cache_n")  # llama-server
        return Completion(
            text=text or "",
            finish_reason=choice.get("finish_reason") or "stop",
            prompt_tokens=prompt_tokens,
            evaluated_prompt_tokens=max(0, prompt_tokens - int(cached or 0)),
            generated_tokens=int(usage.get("completion_tokens") or 0),
            seconds=time.monotonic() - started,
        )

    def score_options(self, prompt: Prompt | str, options: list[str]) -> dict[str, float]:
        """Log-probability of each option's first token, from the server's top log-probabilities of one token.

        Raises NotImplementedError where the server cannot give them (llama_cpp.server with a chat prompt and
        an answer prefix, servers that return no logprobs, options outside the top tokens): the caller then
        asks for the JSON vote instead."""
        endpoint, path, body = self._request_for(prompt)
        body = {"model": self.model, **body, "max_tokens": 1, "temperature": 0.0, "stream": False}
        body |= {"logprobs": True, "top_logprobs": TOP_LOGPROBS} if endpoint == "chat" else {"logprobs": TOP_LOGPROBS}
        try:
            data = self._post(path, body)
        except _Rejected as exc:
            raise NotImplementedError(f"the server refused logprobs: {exc.detail[:200]}") from exc
        top = _top_logprobs(data)
        if not top:
            raise NotImplementedError("the server returned no logprobs")
        scores = {}
        for option in options:
            found = [lp for token, lp in top.items() if token.strip() and option.startswith(token.strip())]
            scores[option] = max(found) if found else -math.inf
        if all(v == -math.inf for v in scores.values()):
            raise NotImplementedError("none of the options is among the server's top tokens")
        return scores

    def describe(self) -> dict:
        return {"server": self._shown(self.base_url), "kind": self.kind, "model": self.model_id,
                "parallel": self.parallel, "n_ctx": self.n_ctx}


def _top_logprobs(data: dict) -> dict[str, float]:
    """The first generated token's top log-probabilities, in the chat or the legacy completions shape."""
    try:
        logprobs = data["choices"][0].get("logprobs") or {}
    except (KeyError, IndexError, TypeError, AttributeError):
        return {}
    top: dict[str, float] = {}
    content = logprobs.get("content")
    if isinstance(content, list) and content:  # chat, and llama-server's completions
        first = content[0]
        entries = first.get("top_logprobs") or [{"token": first.get("token"), "logprob": first.get("logprob")}]
        for entry in entries:
            if entry.get("token") is not None and entry.get("logprob") is not None:
                top[entry["token"]] = max(top.get(entry["token"], -math.inf), float(entry["logprob"]))
        return top
    legacy = logprobs.get("top_logprobs")
    if isinstance(legacy, list) and legacy and isinstance(legacy[0], dict):  # OpenAI legacy completions
        return {token: float(lp) for token, lp in legacy[0].items() if lp is not None}
    return {}


def _is_rejection(response: httpx.Response) -> bool:
    """The server refused the request's body. llama_cpp.server answers 500 to a body that fails validation."""
    return response.status_code in (400, 422) or (
        response.status_code == 500 and "validation error" in response.text[:2000].lower())


def _context_overflow(detail: str) -> bool:
    lowered = detail.lower()
    return "context" in lowered and any(w in lowered for w in ("exceed", "too long", "longer", "maximum"))


def _context_hint(detail: str) -> str:
    """The [hints] entry for a refused request."""
    return "server_context" if _context_overflow(detail) else "server_log"
