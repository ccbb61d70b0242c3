from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.paginated_private_offer_list import PaginatedPrivateOfferList
from ...models.private_offers_list_role import PrivateOffersListRole
from ...models.private_offers_list_status import PrivateOffersListStatus
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    data_request: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    role: PrivateOffersListRole | Unset = UNSET,
    status: PrivateOffersListStatus | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["cursor"] = cursor

    json_data_request: str | Unset = UNSET
    if not isinstance(data_request, Unset):
        json_data_request = str(data_request)
    params["data_request"] = json_data_request

    params["page_size"] = page_size

    json_role: str | Unset = UNSET
    if not isinstance(role, Unset):
        json_role = role.value

    params["role"] = json_role

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/private-offers",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedPrivateOfferList | Problem | None:
    if response.status_code == 200:
        response_200 = PaginatedPrivateOfferList.from_dict(response.json())

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
) -> Response[PaginatedPrivateOfferList | Problem]:
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
    data_request: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    role: PrivateOffersListRole | Unset = UNSET,
    status: PrivateOffersListStatus | Unset = UNSET,
) -> Response[PaginatedPrivateOfferList | Problem]:
    """
    Args:
        cursor (str | Unset):
        data_request (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        role (PrivateOffersListRole | Unset):
        status (PrivateOffersListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedPrivateOfferList | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        data_request=data_request,
        page_size=page_size,
        role=role,
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
    data_request: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    role: PrivateOffersListRole | Unset = UNSET,
    status: PrivateOffersListStatus | Unset = UNSET,
) -> PaginatedPrivateOfferList | Problem | None:
    """
    Args:
        cursor (str | Unset):
        data_request (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        role (PrivateOffersListRole | Unset):
        status (PrivateOffersListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedPrivateOfferList | Problem
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        data_request=data_request,
        page_size=page_size,
        role=role,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    data_request: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    role: PrivateOffersListRole | Unset = UNSET,
    status: PrivateOffersListStatus | Unset = UNSET,
) -> Response[PaginatedPrivateOfferList | Problem]:
    """
    Args:
        cursor (str | Unset):
        data_request (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        role (PrivateOffersListRole | Unset):
        status (PrivateOffersListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedPrivateOfferList | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        data_request=data_request,
        page_size=page_size,
        role=role,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    data_request: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    role: PrivateOffersListRole | Unset = UNSET,
    status: PrivateOffersListStatus | Unset = UNSET,
) -> PaginatedPrivateOfferList | Problem | None:
    """
    Args:
        cursor (str | Unset):
        data_request (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        role (PrivateOffersListRole | Unset):
        status (PrivateOffersListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedPrivateOfferList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            data_request=data_request,
            page_size=page_size,
            role=role,
            status=status,
        )
    ).parsed
