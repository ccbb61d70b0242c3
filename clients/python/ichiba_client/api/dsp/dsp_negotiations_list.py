from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dsp_negotiations_list_side import DspNegotiationsListSide
from ...models.dsp_negotiations_list_state import DspNegotiationsListState
from ...models.paginated_dsp_negotiation_list import PaginatedDspNegotiationList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    contract: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    offering: str | Unset = UNSET,
    page_size: int | Unset = 50,
    side: DspNegotiationsListSide | Unset = UNSET,
    state: DspNegotiationsListState | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["contract"] = contract

    params["cursor"] = cursor

    params["offering"] = offering

    params["page_size"] = page_size

    json_side: str | Unset = UNSET
    if not isinstance(side, Unset):
        json_side = side.value

    params["side"] = json_side

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/dsp/negotiations",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedDspNegotiationList | Problem | None:
    if response.status_code == 200:
        response_200 = PaginatedDspNegotiationList.from_dict(response.json())

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
) -> Response[PaginatedDspNegotiationList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    contract: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    offering: str | Unset = UNSET,
    page_size: int | Unset = 50,
    side: DspNegotiationsListSide | Unset = UNSET,
    state: DspNegotiationsListState | Unset = UNSET,
) -> Response[PaginatedDspNegotiationList | Problem]:
    """The DSP negotiations your organisation is a party to, as consumer and as seller, newest first.

    Args:
        contract (str | Unset):
        cursor (str | Unset):
        offering (str | Unset):
        page_size (int | Unset):  Default: 50.
        side (DspNegotiationsListSide | Unset):
        state (DspNegotiationsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedDspNegotiationList | Problem]
    """

    kwargs = _get_kwargs(
        contract=contract,
        cursor=cursor,
        offering=offering,
        page_size=page_size,
        side=side,
        state=state,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    contract: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    offering: str | Unset = UNSET,
    page_size: int | Unset = 50,
    side: DspNegotiationsListSide | Unset = UNSET,
    state: DspNegotiationsListState | Unset = UNSET,
) -> PaginatedDspNegotiationList | Problem | None:
    """The DSP negotiations your organisation is a party to, as consumer and as seller, newest first.

    Args:
        contract (str | Unset):
        cursor (str | Unset):
        offering (str | Unset):
        page_size (int | Unset):  Default: 50.
        side (DspNegotiationsListSide | Unset):
        state (DspNegotiationsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedDspNegotiationList | Problem
    """

    return sync_detailed(
        client=client,
        contract=contract,
        cursor=cursor,
        offering=offering,
        page_size=page_size,
        side=side,
        state=state,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    contract: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    offering: str | Unset = UNSET,
    page_size: int | Unset = 50,
    side: DspNegotiationsListSide | Unset = UNSET,
    state: DspNegotiationsListState | Unset = UNSET,
) -> Response[PaginatedDspNegotiationList | Problem]:
    """The DSP negotiations your organisation is a party to, as consumer and as seller, newest first.

    Args:
        contract (str | Unset):
        cursor (str | Unset):
        offering (str | Unset):
        page_size (int | Unset):  Default: 50.
        side (DspNegotiationsListSide | Unset):
        state (DspNegotiationsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedDspNegotiationList | Problem]
    """

    kwargs = _get_kwargs(
        contract=contract,
        cursor=cursor,
        offering=offering,
        page_size=page_size,
        side=side,
        state=state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    contract: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    offering: str | Unset = UNSET,
    page_size: int | Unset = 50,
    side: DspNegotiationsListSide | Unset = UNSET,
    state: DspNegotiationsListState | Unset = UNSET,
) -> PaginatedDspNegotiationList | Problem | None:
    """The DSP negotiations your organisation is a party to, as consumer and as seller, newest first.

    Args:
        contract (str | Unset):
        cursor (str | Unset):
        offering (str | Unset):
        page_size (int | Unset):  Default: 50.
        side (DspNegotiationsListSide | Unset):
        state (DspNegotiationsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedDspNegotiationList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            contract=contract,
            cursor=cursor,
            offering=offering,
            page_size=page_size,
            side=side,
            state=state,
        )
    ).parsed
