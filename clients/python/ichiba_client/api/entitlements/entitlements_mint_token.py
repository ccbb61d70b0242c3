from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.issued_token import IssuedToken
from ...models.problem import Problem
from ...models.token_request import TokenRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    entitlement_id: str,
    *,
    body: TokenRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/entitlements/{entitlement_id}/tokens".format(
            entitlement_id=quote(str(entitlement_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> IssuedToken | Problem | None:
    if response.status_code == 201:
        response_201 = IssuedToken.from_dict(response.json())

        return response_201

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[IssuedToken | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    entitlement_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenRequest | Unset = UNSET,
) -> Response[IssuedToken | Problem]:
    """Mint a download token: lifetime ``ICHIBA_DOWNLOAD_TOKEN_SECONDS`` (15 min), never past the term.

    Deliberately not keyed by ``Idempotency-Key``: replaying a response would mean storing the token in
    the
    clear in the idempotency log, and minting twice is harmless (each call returns a new token).

    Args:
        entitlement_id (str):
        body (TokenRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IssuedToken | Problem]
    """

    kwargs = _get_kwargs(
        entitlement_id=entitlement_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    entitlement_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenRequest | Unset = UNSET,
) -> IssuedToken | Problem | None:
    """Mint a download token: lifetime ``ICHIBA_DOWNLOAD_TOKEN_SECONDS`` (15 min), never past the term.

    Deliberately not keyed by ``Idempotency-Key``: replaying a response would mean storing the token in
    the
    clear in the idempotency log, and minting twice is harmless (each call returns a new token).

    Args:
        entitlement_id (str):
        body (TokenRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IssuedToken | Problem
    """

    return sync_detailed(
        entitlement_id=entitlement_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    entitlement_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenRequest | Unset = UNSET,
) -> Response[IssuedToken | Problem]:
    """Mint a download token: lifetime ``ICHIBA_DOWNLOAD_TOKEN_SECONDS`` (15 min), never past the term.

    Deliberately not keyed by ``Idempotency-Key``: replaying a response would mean storing the token in
    the
    clear in the idempotency log, and minting twice is harmless (each call returns a new token).

    Args:
        entitlement_id (str):
        body (TokenRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IssuedToken | Problem]
    """

    kwargs = _get_kwargs(
        entitlement_id=entitlement_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    entitlement_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenRequest | Unset = UNSET,
) -> IssuedToken | Problem | None:
    """Mint a download token: lifetime ``ICHIBA_DOWNLOAD_TOKEN_SECONDS`` (15 min), never past the term.

    Deliberately not keyed by ``Idempotency-Key``: replaying a response would mean storing the token in
    the
    clear in the idempotency log, and minting twice is harmless (each call returns a new token).

    Args:
        entitlement_id (str):
        body (TokenRequest | Unset): Unknown fields are an error, not silently dropped: a typo
            must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IssuedToken | Problem
    """

    return (
        await asyncio_detailed(
            entitlement_id=entitlement_id,
            client=client,
            body=body,
        )
    ).parsed
