from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.offerings_odrl_format import OfferingsOdrlFormat
from ...models.offerings_odrl_response_200 import OfferingsOdrlResponse200
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    offering_id: str,
    *,
    format_: OfferingsOdrlFormat | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/offerings/{offering_id}/odrl".format(
            offering_id=quote(str(offering_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OfferingsOdrlResponse200 | Problem | None:
    if response.status_code == 200:
        response_200 = OfferingsOdrlResponse200.from_dict(response.json())

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
) -> Response[OfferingsOdrlResponse200 | Problem]:
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
    format_: OfferingsOdrlFormat | Unset = UNSET,
) -> Response[OfferingsOdrlResponse200 | Problem]:
    """
    Args:
        offering_id (str):
        format_ (OfferingsOdrlFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OfferingsOdrlResponse200 | Problem]
    """

    kwargs = _get_kwargs(
        offering_id=offering_id,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    offering_id: str,
    *,
    client: AuthenticatedClient,
    format_: OfferingsOdrlFormat | Unset = UNSET,
) -> OfferingsOdrlResponse200 | Problem | None:
    """
    Args:
        offering_id (str):
        format_ (OfferingsOdrlFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OfferingsOdrlResponse200 | Problem
    """

    return sync_detailed(
        offering_id=offering_id,
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    offering_id: str,
    *,
    client: AuthenticatedClient,
    format_: OfferingsOdrlFormat | Unset = UNSET,
) -> Response[OfferingsOdrlResponse200 | Problem]:
    """
    Args:
        offering_id (str):
        format_ (OfferingsOdrlFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OfferingsOdrlResponse200 | Problem]
    """

    kwargs = _get_kwargs(
        offering_id=offering_id,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    offering_id: str,
    *,
    client: AuthenticatedClient,
    format_: OfferingsOdrlFormat | Unset = UNSET,
) -> OfferingsOdrlResponse200 | Problem | None:
    """
    Args:
        offering_id (str):
        format_ (OfferingsOdrlFormat | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OfferingsOdrlResponse200 | Problem
    """

    return (
        await asyncio_detailed(
            offering_id=offering_id,
            client=client,
            format_=format_,
        )
    ).parsed
