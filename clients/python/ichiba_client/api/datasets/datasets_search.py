from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.datasets_search_category import DatasetsSearchCategory
from ...models.datasets_search_data_class import DatasetsSearchDataClass
from ...models.datasets_search_sort import DatasetsSearchSort
from ...models.problem import Problem
from ...models.search_page import SearchPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    category: DatasetsSearchCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DatasetsSearchDataClass | Unset = UNSET,
    page_size: int | Unset = 20,
    q: str | Unset = UNSET,
    region: str | Unset = UNSET,
    seller: UUID | Unset = UNSET,
    sort: DatasetsSearchSort | Unset = UNSET,
    tag: str | Unset = UNSET,
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

    params["page_size"] = page_size

    params["q"] = q

    params["region"] = region

    json_seller: str | Unset = UNSET
    if not isinstance(seller, Unset):
        json_seller = str(seller)
    params["seller"] = json_seller

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["tag"] = tag

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/datasets",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SearchPage | None:
    if response.status_code == 200:
        response_200 = SearchPage.from_dict(response.json())

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
) -> Response[Problem | SearchPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    category: DatasetsSearchCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DatasetsSearchDataClass | Unset = UNSET,
    page_size: int | Unset = 20,
    q: str | Unset = UNSET,
    region: str | Unset = UNSET,
    seller: UUID | Unset = UNSET,
    sort: DatasetsSearchSort | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Response[Problem | SearchPage]:
    """
    Args:
        category (DatasetsSearchCategory | Unset):
        cursor (str | Unset):
        data_class (DatasetsSearchDataClass | Unset):
        page_size (int | Unset):  Default: 20.
        q (str | Unset):
        region (str | Unset):
        seller (UUID | Unset):
        sort (DatasetsSearchSort | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SearchPage]
    """

    kwargs = _get_kwargs(
        category=category,
        cursor=cursor,
        data_class=data_class,
        page_size=page_size,
        q=q,
        region=region,
        seller=seller,
        sort=sort,
        tag=tag,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    category: DatasetsSearchCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DatasetsSearchDataClass | Unset = UNSET,
    page_size: int | Unset = 20,
    q: str | Unset = UNSET,
    region: str | Unset = UNSET,
    seller: UUID | Unset = UNSET,
    sort: DatasetsSearchSort | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Problem | SearchPage | None:
    """
    Args:
        category (DatasetsSearchCategory | Unset):
        cursor (str | Unset):
        data_class (DatasetsSearchDataClass | Unset):
        page_size (int | Unset):  Default: 20.
        q (str | Unset):
        region (str | Unset):
        seller (UUID | Unset):
        sort (DatasetsSearchSort | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SearchPage
    """

    return sync_detailed(
        client=client,
        category=category,
        cursor=cursor,
        data_class=data_class,
        page_size=page_size,
        q=q,
        region=region,
        seller=seller,
        sort=sort,
        tag=tag,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    category: DatasetsSearchCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DatasetsSearchDataClass | Unset = UNSET,
    page_size: int | Unset = 20,
    q: str | Unset = UNSET,
    region: str | Unset = UNSET,
    seller: UUID | Unset = UNSET,
    sort: DatasetsSearchSort | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Response[Problem | SearchPage]:
    """
    Args:
        category (DatasetsSearchCategory | Unset):
        cursor (str | Unset):
        data_class (DatasetsSearchDataClass | Unset):
        page_size (int | Unset):  Default: 20.
        q (str | Unset):
        region (str | Unset):
        seller (UUID | Unset):
        sort (DatasetsSearchSort | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SearchPage]
    """

    kwargs = _get_kwargs(
        category=category,
        cursor=cursor,
        data_class=data_class,
        page_size=page_size,
        q=q,
        region=region,
        seller=seller,
        sort=sort,
        tag=tag,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    category: DatasetsSearchCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    data_class: DatasetsSearchDataClass | Unset = UNSET,
    page_size: int | Unset = 20,
    q: str | Unset = UNSET,
    region: str | Unset = UNSET,
    seller: UUID | Unset = UNSET,
    sort: DatasetsSearchSort | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Problem | SearchPage | None:
    """
    Args:
        category (DatasetsSearchCategory | Unset):
        cursor (str | Unset):
        data_class (DatasetsSearchDataClass | Unset):
        page_size (int | Unset):  Default: 20.
        q (str | Unset):
        region (str | Unset):
        seller (UUID | Unset):
        sort (DatasetsSearchSort | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SearchPage
    """

    return (
        await asyncio_detailed(
            client=client,
            category=category,
            cursor=cursor,
            data_class=data_class,
            page_size=page_size,
            q=q,
            region=region,
            seller=seller,
            sort=sort,
            tag=tag,
        )
    ).parsed
