from http import HTTPStatus
from io import BytesIO
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.downloads_fetch_with_bearer_format import DownloadsFetchWithBearerFormat
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    format_: DownloadsFetchWithBearerFormat | Unset = UNSET,
    authorization: str,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Authorization"] = authorization

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
        "url": "/api/v1/downloads",
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
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchWithBearerFormat | Unset = UNSET,
    authorization: str,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """The same download, the token sent as ``Authorization: Bearer <token>`` (a DSP transfer's data
    address).

    Args:
        format_ (DownloadsFetchWithBearerFormat | Unset):
        authorization (str):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        format_=format_,
        authorization=authorization,
        if_range=if_range,
        range_=range_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchWithBearerFormat | Unset = UNSET,
    authorization: str,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """The same download, the token sent as ``Authorization: Bearer <token>`` (a DSP transfer's data
    address).

    Args:
        format_ (DownloadsFetchWithBearerFormat | Unset):
        authorization (str):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return sync_detailed(
        client=client,
        format_=format_,
        authorization=authorization,
        if_range=if_range,
        range_=range_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchWithBearerFormat | Unset = UNSET,
    authorization: str,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """The same download, the token sent as ``Authorization: Bearer <token>`` (a DSP transfer's data
    address).

    Args:
        format_ (DownloadsFetchWithBearerFormat | Unset):
        authorization (str):
        if_range (str | Unset):
        range_ (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        format_=format_,
        authorization=authorization,
        if_range=if_range,
        range_=range_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadsFetchWithBearerFormat | Unset = UNSET,
    authorization: str,
    if_range: str | Unset = UNSET,
    range_: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """The same download, the token sent as ``Authorization: Bearer <token>`` (a DSP transfer's data
    address).

    Args:
        format_ (DownloadsFetchWithBearerFormat | Unset):
        authorization (str):
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
            client=client,
            format_=format_,
            authorization=authorization,
            if_range=if_range,
            range_=range_,
        )
    ).parsed
