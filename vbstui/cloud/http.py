"""One HTTP exchange: httpx failures and error statuses become typed `CloudError`s."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from vbstui.cloud.errors import (
    ApiError,
    CloudError,
    Reached,
    ResponseFormatError,
    TransportError,
    api_error_from_response,
    excerpt,
)
from vbstui.cloud.listing_text import ItemTexts, load_listing
from vbstui.cloud.models import MAX_JSON_DEPTH, JsonTooDeep, load_json

# Bodies larger than this are refused: no VBS answer comes near it, and a hostile
# or broken server must not make us buffer gigabytes.
MAX_BODY_BYTES = 64 * 1024 * 1024


def _host(url: httpx.URL | str) -> str:
    return urlsplit(str(url)).netloc


def transport_error(exc: Exception, request: httpx.Request | None) -> CloudError:
    """Classify an httpx exception by whether the server may have acted on the request."""
    where = f" ({_host(request.url)})" if request is not None else ""
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportError(
            f"could not connect{where}: timed out", kind="connect_timeout", reached=Reached.NO,
            hint="check the network, proxy settings (HTTPS_PROXY/NO_PROXY) and the endpoint",
        )
    if isinstance(exc, httpx.ProxyError):
        return TransportError(
            f"the proxy refused or failed the connection{where}: {exc}", kind="proxy",
            reached=Reached.NO, hint="check HTTPS_PROXY / NO_PROXY",
        )
    if isinstance(exc, httpx.ConnectError):
        cause = exc.__context__ or exc.__cause__
        text = str(exc)
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
            return TransportError(
                f"TLS certificate of{where or ' the server'} could not be verified", kind="tls",
                reached=Reached.NO,
                hint="if your network inspects TLS, point 'cacert' (or SSL_CERT_FILE) at your "
                "company's CA bundle; never disable verification on a shared host",
            )
        if isinstance(cause, ssl.SSLError) or "SSL" in text:
            return TransportError(
                f"TLS handshake failed{where}: {text}", kind="tls", reached=Reached.NO
            )
        return TransportError(
            f"could not connect{where}: {text or 'connection refused'}", kind="connect",
            reached=Reached.NO,
            hint="check the network, proxy settings (HTTPS_PROXY/NO_PROXY) and the endpoint",
        )
    if isinstance(exc, httpx.PoolTimeout):
        return TransportError(
            "too many requests in flight: no connection became free in time", kind="pool_timeout",
            reached=Reached.NO,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return TransportError(
            f"no answer within the time limit{where}", kind="read_timeout", reached=Reached.MAYBE
        )
    if isinstance(exc, httpx.WriteTimeout):
        return TransportError(
            f"sending the request timed out{where}", kind="write_timeout", reached=Reached.MAYBE
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return TransportError(
            f"the connection was dropped before an answer arrived{where}", kind="dropped",
            reached=Reached.MAYBE,
        )
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.NetworkError)):
        return TransportError(
            f"the connection failed while talking to the server{where}: {exc or 'reset'}",
            kind="network", reached=Reached.MAYBE,
        )
    if isinstance(exc, httpx.TooManyRedirects | httpx.UnsupportedProtocol | httpx.InvalidURL):
        return TransportError(f"bad request URL{where}: {exc}", kind="url", reached=Reached.NO)
    return TransportError(
        f"the request failed{where}: {type(exc).__name__}: {exc}", kind="other",
        reached=Reached.MAYBE,
    )


# The overall limit when the caller's timeout carries none (a plain httpx.Timeout):
# twice the per-read timeout, or this many seconds without one.
FALLBACK_DEADLINE = 60.0


def deadline_of(timeout: httpx.Timeout) -> float:
    """Wall-clock seconds allowed for one whole request under `timeout`."""
    deadline = getattr(timeout, "deadline", None)
    if isinstance(deadline, (int, float)):
        return float(deadline)
    return 2 * timeout.read if timeout.read is not None else FALLBACK_DEADLINE


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    timeout: httpx.Timeout | None = None,
    ok: tuple[int, ...] = (200,),
    authenticated: bool = True,
) -> httpx.Response:
    """Send one request and return the response only if its status is in `ok`.

    `authenticated=False` skips the client's token auth (for the token request itself).
    The whole exchange, reading the body included, must end within the timeout's
    `deadline` (see `request_timeout.RequestTimeout`)."""
    request = client.build_request(
        method, url, params=params, json=json_body,
        timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
    )
    deadline = deadline_of(timeout if timeout is not None else client.timeout)
    try:
        # wait_for, not asyncio.timeout: Python 3.10 is still supported.
        response = await asyncio.wait_for(_exchange(client, request, authenticated), deadline)
    except asyncio.TimeoutError:
        # Reads are retried (TransportError is retryable); for a create the request may
        # have been processed, so the caller looks before it sends again.
        raise TransportError(
            f"no complete answer within {deadline:g} s ({_host(request.url)}): the server "
            "is too slow or stalled", kind="deadline", reached=Reached.MAYBE,
            # Never "try again" for a create: whether it happened must be looked up first.
            hint="the limit is [profiles.NAME.timeouts] deadline (reads, default twice "
            "'read') or mutate_deadline" if method == "GET" else None,
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise transport_error(exc, request) from None
    if response.status_code in ok:
        return response
    if 300 <= response.status_code < 400:
        location = response.headers.get("location", "?")
        raise ApiError(
            status=response.status_code, code=None,
            message=f"unexpected redirect to {location!r}; not followed (it would carry the token)",
            method=method, path=request.url.path,
        )
    raise api_error_from_response(
        status=response.status_code, headers=response.headers, body=response.content,
        method=method, path=request.url.path,
    )


async def _exchange(client: httpx.AsyncClient, request: httpx.Request,
                    authenticated: bool) -> httpx.Response:
    """Send `request` and read the whole body, at most MAX_BODY_BYTES of it."""
    if authenticated:
        response = await client.send(request, stream=True)
    else:
        response = await client.send(request, stream=True, auth=None)
    try:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ResponseFormatError(
                    f"the server sent more than {MAX_BODY_BYTES // (1024 * 1024)} MB; "
                    "refusing to read further"
                )
            chunks.append(chunk)
        response._content = b"".join(chunks)
    finally:
        await response.aclose()
    return response


def json_object(response: httpx.Response, *, expect_key: str | None = None) -> dict[str, Any]:
    """The response body as a JSON object, or a clear `ResponseFormatError`."""
    data, _texts = _json_body(response, lambda text: (load_json(text), None), expect_key)
    return data


def json_listing(response: httpx.Response, items_key: str
                 ) -> tuple[dict[str, Any], ItemTexts | None]:
    """`json_object` for a page of a listing, with the text each record of its
    `items_key` list came in (`cloud.listing_text`)."""
    return _json_body(response, lambda text: load_listing(text, items_key), None)


def _json_body(response: httpx.Response, load: Callable[[str], tuple[Any, ItemTexts | None]],
               expect_key: str | None) -> tuple[dict[str, Any], ItemTexts | None]:
    """What `load` reads of the body: the JSON value, and the records' texts or None."""
    body = response.content
    if not body.strip():
        raise ResponseFormatError(
            f"the server answered {response.status_code} with an empty body where JSON was expected"
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResponseFormatError(
            "the server's answer is not valid UTF-8 text", body_excerpt=excerpt(body)
        ) from None
    try:
        data, texts = load(text)
    except JsonTooDeep:
        raise ResponseFormatError(
            f"the server's answer is nested more than {MAX_JSON_DEPTH} levels deep; "
            "no answer of this service looks like that", body_excerpt=excerpt(body)
        ) from None
    except ValueError:
        what = (
            "an HTML page instead of JSON" if text.lstrip()[:1] == "<"
            else "malformed or truncated JSON"
        )
        raise ResponseFormatError(
            f"the server answered with {what}", body_excerpt=excerpt(body)
        ) from None
    if not isinstance(data, dict):
        raise ResponseFormatError(
            f"expected a JSON object, got {type(data).__name__}", body_excerpt=excerpt(body)
        )
    if expect_key is not None and expect_key not in data:
        raise ResponseFormatError(
            f"the answer has no '{expect_key}' field", body_excerpt=excerpt(body)
        )
    return data, texts
