from http import HTTPStatus
from io import BytesIO
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.downloads_fetch_format import DownloadsFetchFormat
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    token: str,
    *,
    format_: DownloadsFetchFormat | Unset = UNSET,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_range, Unset):
        headers["If-Range"] = if_range

    if not isinstance(range_, Unset):
        headers["Range"] = range_

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/downloads/{token}".format(
            token=quote(str(token), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 206:
        response_206 = File(payload=BytesIO(response.content))

        return response_206

    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 410:
        response_410 = Problem.from_dict(response.json())

        return response_410

    if response.status_code == 416:
        response_416 = Problem.from_dict(response.json())

        return response_416

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | File | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchFormat | Unset = UNSET,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Stream the entitled dataset version; supports HEAD, single ``Range`` and ``If-Range``.

    Args:
        token (str):
        format_ (DownloadsFetchFormat | Unset):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        token=token,
        format_=format_,
        if_range=if_range,
        range_=range_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchFormat | Unset = UNSET,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Stream the entitled dataset version; supports HEAD, single ``Range`` and ``If-Range``.

    Args:
        token (str):
        format_ (DownloadsFetchFormat | Unset):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return sync_detailed(
        token=token,
        client=client,
        format_=format_,
        if_range=if_range,
        range_=range_,
    ).parsed


async def asyncio_detailed(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchFormat | Unset = UNSET,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Stream the entitled dataset version; supports HEAD, single ``Range`` and ``If-Range``.

    Args:
        token (str):
        format_ (DownloadsFetchFormat | Unset):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        token=token,
        format_=format_,
        if_range=if_range,
        range_=range_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    token: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchFormat | Unset = UNSET,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Stream the entitled dataset version; supports HEAD, single ``Range`` and ``If-Range``.

    Args:
        token (str):
        format_ (DownloadsFetchFormat | Unset):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return (
        await asyncio_detailed(
            token=token,
            client=client,
            format_=format_,
            if_range=if_range,
            range_=range_,
        )
    ).parsed
