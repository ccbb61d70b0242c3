from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auction import Auction
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    auction_id: str,
) -> dict[str, Any]:
    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/auctions/{auction_id}".format(
            auction_id=quote(str(auction_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Auction | Problem | None:
    if response.status_code == 200:
        response_200 = Auction.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Auction | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    auction_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Auction | Problem]:
    """
    Args:
        auction_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Auction | Problem]
    """

    kwargs = _get_kwargs(
        auction_id=auction_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    auction_id: str,
    *,
    client: AuthenticatedClient,
) -> Auction | Problem | None:
    """
    Args:
        auction_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Auction | Problem
    """

    return sync_detailed(
        auction_id=auction_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    auction_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Auction | Problem]:
    """
    Args:
        auction_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Auction | Problem]
    """

    kwargs = _get_kwargs(
        auction_id=auction_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    auction_id: str,
    *,
    client: AuthenticatedClient,
) -> Auction | Problem | None:
    """
    Args:
        auction_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Auction | Problem
    """

    return (
        await asyncio_detailed(
            auction_id=auction_id,
            client=client,
        )
    ).parsed
