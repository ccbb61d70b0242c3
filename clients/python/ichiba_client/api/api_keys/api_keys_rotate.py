from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_key_rotate_request import ApiKeyRotateRequest
from ...models.api_key_with_secret import ApiKeyWithSecret
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    api_key_id: str,
    *,
    body: ApiKeyRotateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/api-keys/{api_key_id}/rotate".format(
            api_key_id=quote(str(api_key_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiKeyWithSecret | Problem | None:
    if response.status_code == 201:
        response_201 = ApiKeyWithSecret.from_dict(response.json())

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
) -> Response[ApiKeyWithSecret | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    api_key_id: str,
    *,
    client: AuthenticatedClient,
    body: ApiKeyRotateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ApiKeyWithSecret | Problem]:
    """A successor with the same name and scopes (201, its secret shown once); the old key keeps working
    for
    ``grace_seconds``, so the partner's old and new deployments both work meanwhile.

    Args:
        api_key_id (str):
        idempotency_key (str | Unset):
        body (ApiKeyRotateRequest | Unset): Unknown fields are an error, not silently dropped: a
            typo must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyWithSecret | Problem]
    """

    kwargs = _get_kwargs(
        api_key_id=api_key_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    api_key_id: str,
    *,
    client: AuthenticatedClient,
    body: ApiKeyRotateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ApiKeyWithSecret | Problem | None:
    """A successor with the same name and scopes (201, its secret shown once); the old key keeps working
    for
    ``grace_seconds``, so the partner's old and new deployments both work meanwhile.

    Args:
        api_key_id (str):
        idempotency_key (str | Unset):
        body (ApiKeyRotateRequest | Unset): Unknown fields are an error, not silently dropped: a
            typo must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyWithSecret | Problem
    """

    return sync_detailed(
        api_key_id=api_key_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    api_key_id: str,
    *,
    client: AuthenticatedClient,
    body: ApiKeyRotateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ApiKeyWithSecret | Problem]:
    """A successor with the same name and scopes (201, its secret shown once); the old key keeps working
    for
    ``grace_seconds``, so the partner's old and new deployments both work meanwhile.

    Args:
        api_key_id (str):
        idempotency_key (str | Unset):
        body (ApiKeyRotateRequest | Unset): Unknown fields are an error, not silently dropped: a
            typo must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyWithSecret | Problem]
    """

    kwargs = _get_kwargs(
        api_key_id=api_key_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    api_key_id: str,
    *,
    client: AuthenticatedClient,
    body: ApiKeyRotateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ApiKeyWithSecret | Problem | None:
    """A successor with the same name and scopes (201, its secret shown once); the old key keeps working
    for
    ``grace_seconds``, so the partner's old and new deployments both work meanwhile.

    Args:
        api_key_id (str):
        idempotency_key (str | Unset):
        body (ApiKeyRotateRequest | Unset): Unknown fields are an error, not silently dropped: a
            typo must not look like success.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyWithSecret | Problem
    """

    return (
        await asyncio_detailed(
            api_key_id=api_key_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
