from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StreamCredentials")


@_attrs_define
class StreamCredentials:
    """
    Attributes:
        url (str): The broker, without credentials: `mqtts://host:8883` (TLS) or `mqtt://`.
        host (str):
        port (int):
        tls (bool): Connect with TLS (the URL's scheme is `mqtts`).
        username (str): Derived from the dataset's or the subscription's id; not a secret.
        password (str): Shown once; a new POST replaces it.
        client_id (str): The MQTT client id to connect with: the broker accepts this login under no other, and keeps a
            persistent session (clean start off) under it.
        topic (str): The feed's topic filter, `feeds/<dataset id>/#`: a publisher publishes under it, a subscriber
            subscribes to it (or to a narrower filter under it).
    """

    url: str
    host: str
    port: int
    tls: bool
    username: str
    password: str
    client_id: str
    topic: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        host = self.host

        port = self.port

        tls = self.tls

        username = self.username

        password = self.password

        client_id = self.client_id

        topic = self.topic

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
                "host": host,
                "port": port,
                "tls": tls,
                "username": username,
                "password": password,
                "client_id": client_id,
                "topic": topic,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        host = d.pop("host")

        port = d.pop("port")

        tls = d.pop("tls")

        username = d.pop("username")

        password = d.pop("password")

        client_id = d.pop("client_id")

        topic = d.pop("topic")

        stream_credentials = cls(
            url=url,
            host=host,
            port=port,
            tls=tls,
            username=username,
            password=password,
            client_id=client_id,
            topic=topic,
        )

        stream_credentials.additional_properties = d
        return stream_credentials

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
