from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auctions_list_status import AuctionsListStatus
from ...models.paginated_auction_list import PaginatedAuctionList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    status: AuctionsListStatus | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["cursor"] = cursor

    json_dataset: str | Unset = UNSET
    if not isinstance(dataset, Unset):
        json_dataset = str(dataset)
    params["dataset"] = json_dataset

    params["page_size"] = page_size

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/auctions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedAuctionList | Problem | None:
    if response.status_code == 200:
        response_200 = PaginatedAuctionList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PaginatedAuctionList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    status: AuctionsListStatus | Unset = UNSET,
) -> Response[PaginatedAuctionList | Problem]:
    """Every auction, newest first (anyone may read them). A list names no winner; the caller's own bid is
    shown.

    Args:
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        status (AuctionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedAuctionList | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        dataset=dataset,
        page_size=page_size,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    status: AuctionsListStatus | Unset = UNSET,
) -> PaginatedAuctionList | Problem | None:
    """Every auction, newest first (anyone may read them). A list names no winner; the caller's own bid is
    shown.

    Args:
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        status (AuctionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedAuctionList | Problem
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        dataset=dataset,
        page_size=page_size,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    status: AuctionsListStatus | Unset = UNSET,
) -> Response[PaginatedAuctionList | Problem]:
    """Every auction, newest first (anyone may read them). A list names no winner; the caller's own bid is
    shown.

    Args:
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        status (AuctionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedAuctionList | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        dataset=dataset,
        page_size=page_size,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    status: AuctionsListStatus | Unset = UNSET,
) -> PaginatedAuctionList | Problem | None:
    """Every auction, newest first (anyone may read them). A list names no winner; the caller's own bid is
    shown.

    Args:
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        status (AuctionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedAuctionList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            dataset=dataset,
            page_size=page_size,
            status=status,
        )
    ).parsed
