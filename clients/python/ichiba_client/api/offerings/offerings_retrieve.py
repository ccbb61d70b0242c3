from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.offering import Offering
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    offering_id: str,
) -> dict[str, Any]:
    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/offerings/{offering_id}".format(
            offering_id=quote(str(offering_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Offering | Problem | None:
    if response.status_code == 200:
        response_200 = Offering.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Offering | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    offering_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Offering | Problem]:
    """
    Args:
        offering_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Offering | Problem]
    """

    kwargs = _get_kwargs(
        offering_id=offering_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    offering_id: str,
    *,
    client: AuthenticatedClient,
) -> Offering | Problem | None:
    """
    Args:
        offering_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Offering | Problem
    """

    return sync_detailed(
        offering_id=offering_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    offering_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Offering | Problem]:
    """
    Args:
        offering_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Offering | Problem]
    """

    kwargs = _get_kwargs(
        offering_id=offering_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    offering_id: str,
    *,
    client: AuthenticatedClient,
) -> Offering | Problem | None:
    """
    Args:
        offering_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Offering | Problem
    """

    return (
        await asyncio_detailed(
            offering_id=offering_id,
            client=client,
        )
    ).parsed
