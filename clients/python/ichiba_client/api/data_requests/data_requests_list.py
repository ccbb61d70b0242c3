from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.data_requests_list_category import DataRequestsListCategory
from ...models.data_requests_list_data_class import DataRequestsListDataClass
from ...models.data_requests_list_mine import DataRequestsListMine
from ...models.data_requests_list_role import DataRequestsListRole
from ...models.data_requests_list_status import DataRequestsListStatus
from ...models.paginated_data_request_list import PaginatedDataRequestList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    category: DataRequestsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DataRequestsListDataClass | Unset = UNSET,
    mine: DataRequestsListMine | Unset = UNSET,
    page_size: int | Unset = 50,
    role: DataRequestsListRole | Unset = UNSET,
    status: DataRequestsListStatus | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_category: str | Unset = UNSET
    if not isinstance(category, Unset):
        json_category = category.value

    params["category"] = json_category

    params["cursor"] = cursor

    json_data_class: str | Unset = UNSET
    if not isinstance(data_class, Unset):
        json_data_class = data_class.value

    params["data_class"] = json_data_class

    json_mine: str | Unset = UNSET
    if not isinstance(mine, Unset):
        json_mine = mine.value

    params["mine"] = json_mine

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
        "url": "/api/v1/data-requests",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedDataRequestList | Problem | None:
    if response.status_code == 200:
        response_200 = PaginatedDataRequestList.from_dict(response.json())

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
) -> Response[PaginatedDataRequestList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    category: DataRequestsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DataRequestsListDataClass | Unset = UNSET,
    mine: DataRequestsListMine | Unset = UNSET,
    page_size: int | Unset = 50,
    role: DataRequestsListRole | Unset = UNSET,
    status: DataRequestsListStatus | Unset = UNSET,
) -> Response[PaginatedDataRequestList | Problem]:
    """
    Args:
        category (DataRequestsListCategory | Unset):
        cursor (str | Unset):
        data_class (DataRequestsListDataClass | Unset):
        mine (DataRequestsListMine | Unset):
        page_size (int | Unset):  Default: 50.
        role (DataRequestsListRole | Unset):
        status (DataRequestsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedDataRequestList | Problem]
    """

    kwargs = _get_kwargs(
        category=category,
        cursor=cursor,
        data_class=data_class,
        mine=mine,
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
    category: DataRequestsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DataRequestsListDataClass | Unset = UNSET,
    mine: DataRequestsListMine | Unset = UNSET,
    page_size: int | Unset = 50,
    role: DataRequestsListRole | Unset = UNSET,
    status: DataRequestsListStatus | Unset = UNSET,
) -> PaginatedDataRequestList | Problem | None:
    """
    Args:
        category (DataRequestsListCategory | Unset):
        cursor (str | Unset):
        data_class (DataRequestsListDataClass | Unset):
        mine (DataRequestsListMine | Unset):
        page_size (int | Unset):  Default: 50.
        role (DataRequestsListRole | Unset):
        status (DataRequestsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedDataRequestList | Problem
    """

    return sync_detailed(
        client=client,
        category=category,
        cursor=cursor,
        data_class=data_class,
        mine=mine,
        page_size=page_size,
        role=role,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    category: DataRequestsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DataRequestsListDataClass | Unset = UNSET,
    mine: DataRequestsListMine | Unset = UNSET,
    page_size: int | Unset = 50,
    role: DataRequestsListRole | Unset = UNSET,
    status: DataRequestsListStatus | Unset = UNSET,
) -> Response[PaginatedDataRequestList | Problem]:
    """
    Args:
        category (DataRequestsListCategory | Unset):
        cursor (str | Unset):
        data_class (DataRequestsListDataClass | Unset):
        mine (DataRequestsListMine | Unset):
        page_size (int | Unset):  Default: 50.
        role (DataRequestsListRole | Unset):
        status (DataRequestsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedDataRequestList | Problem]
    """

    kwargs = _get_kwargs(
        category=category,
        cursor=cursor,
        data_class=data_class,
        mine=mine,
        page_size=page_size,
        role=role,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    category: DataRequestsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DataRequestsListDataClass | Unset = UNSET,
    mine: DataRequestsListMine | Unset = UNSET,
    page_size: int | Unset = 50,
    role: DataRequestsListRole | Unset = UNSET,
    status: DataRequestsListStatus | Unset = UNSET,
) -> PaginatedDataRequestList | Problem | None:
    """
    Args:
        category (DataRequestsListCategory | Unset):
        cursor (str | Unset):
        data_class (DataRequestsListDataClass | Unset):
        mine (DataRequestsListMine | Unset):
        page_size (int | Unset):  Default: 50.
        role (DataRequestsListRole | Unset):
        status (DataRequestsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedDataRequestList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            category=category,
            cursor=cursor,
            data_class=data_class,
            mine=mine,
            page_size=page_size,
            role=role,
            status=status,
        )
    ).parsed
