from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.paginated_download_list import PaginatedDownloadList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    buyer: UUID | Unset = UNSET,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    version: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_buyer: str | Unset = UNSET
    if not isinstance(buyer, Unset):
        json_buyer = str(buyer)
    params["buyer"] = json_buyer

    params["cursor"] = cursor

    json_dataset: str | Unset = UNSET
    if not isinstance(dataset, Unset):
        json_dataset = str(dataset)
    params["dataset"] = json_dataset

    params["page_size"] = page_size

    params["version"] = version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/usage",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedDownloadList | Problem | None:
    if response.status_code == 200:
        response_200 = PaginatedDownloadList.from_dict(response.json())

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
) -> Response[PaginatedDownloadList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    buyer: UUID | Unset = UNSET,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    version: str | Unset = UNSET,
) -> Response[PaginatedDownloadList | Problem]:
    """
    Args:
        buyer (UUID | Unset):
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        version (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedDownloadList | Problem]
    """

    kwargs = _get_kwargs(
        buyer=buyer,
        cursor=cursor,
        dataset=dataset,
        page_size=page_size,
        version=version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    buyer: UUID | Unset = UNSET,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    version: str | Unset = UNSET,
) -> PaginatedDownloadList | Problem | None:
    """
    Args:
        buyer (UUID | Unset):
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        version (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedDownloadList | Problem
    """

    return sync_detailed(
        client=client,
        buyer=buyer,
        cursor=cursor,
        dataset=dataset,
        page_size=page_size,
        version=version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    buyer: UUID | Unset = UNSET,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    version: str | Unset = UNSET,
) -> Response[PaginatedDownloadList | Problem]:
    """
    Args:
        buyer (UUID | Unset):
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        version (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedDownloadList | Problem]
    """

    kwargs = _get_kwargs(
        buyer=buyer,
        cursor=cursor,
        dataset=dataset,
        page_size=page_size,
        version=version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    buyer: UUID | Unset = UNSET,
    cursor: str | Unset = UNSET,
    dataset: UUID | Unset = UNSET,
    page_size: int | Unset = 50,
    version: str | Unset = UNSET,
) -> PaginatedDownloadList | Problem | None:
    """
    Args:
        buyer (UUID | Unset):
        cursor (str | Unset):
        dataset (UUID | Unset):
        page_size (int | Unset):  Default: 50.
        version (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedDownloadList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            buyer=buyer,
            cursor=cursor,
            dataset=dataset,
            page_size=page_size,
            version=version,
        )
    ).parsed
