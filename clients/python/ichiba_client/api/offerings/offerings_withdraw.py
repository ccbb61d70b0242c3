from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.offering import Offering
from ...models.problem import Problem
from ...models.withdraw_request import WithdrawRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    offering_id: str,
    *,
    body: WithdrawRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/offerings/{offering_id}/withdraw".format(
            offering_id=quote(str(offering_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Offering | Problem | None:
    if response.status_code == 200:
        response_200 = Offering.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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
    body: WithdrawRequest | Unset = UNSET,
) -> Response[Offering | Problem]:
    """
    Args:
        offering_id (str):
        body (WithdrawRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Offering | Problem]
    """

    kwargs = _get_kwargs(
        offering_id=offering_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    offering_id: str,
    *,
    client: AuthenticatedClient,
    body: WithdrawRequest | Unset = UNSET,
) -> Offering | Problem | None:
    """
    Args:
        offering_id (str):
        body (WithdrawRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Offering | Problem
    """

    return sync_detailed(
        offering_id=offering_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    offering_id: str,
    *,
    client: AuthenticatedClient,
    body: WithdrawRequest | Unset = UNSET,
) -> Response[Offering | Problem]:
    """
    Args:
        offering_id (str):
        body (WithdrawRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Offering | Problem]
    """

    kwargs = _get_kwargs(
        offering_id=offering_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    offering_id: str,
    *,
    client: AuthenticatedClient,
    body: WithdrawRequest | Unset = UNSET,
) -> Offering | Problem | None:
    """
    Args:
        offering_id (str):
        body (WithdrawRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

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
            body=body,
        )
    ).parsed
