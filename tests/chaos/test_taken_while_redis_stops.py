"""Redis stopping between a worker's BRPOP and its record of the message as held.

BRPOP has already taken the message off its queue; until the record (a ZADD and an HSET)
lands, the message is on no list and in no hash. kombu lets that record's connection error
go and the message was gone; the worker's transport retries it until Redis is back.
"""

from __future__ import annotations

import json
import threading
from typing import cast

import pytest
from elasticsearch import Elasticsearch
from kombu import Connection

from newsloom.settings import Settings
from ops.dev.local.redis_server import start_redis, stop_redis
from tests.chaos.cluster import QUIET, chaos_pipeline
from workers.app import broker_transport_options
from workers.transport import Channel, Transport

pytestmark = pytest.mark.integration

QUEUE = "chaos-taken"
DOWN_S = 3.0


def test_a_message_taken_as_redis_stops_is_recorded_when_it_returns(
    services: Settings, es: Elasticsearch
) -> None:
    with chaos_pipeline(services, es, "taken") as pipeline:
        settings = pipeline.settings
        options = broker_transport_options(settings)
        with Connection(
            settings.redis_connection_url(), transport=Transport, transport_options=options
        ) as connection:
            connection.SimpleQueue(QUEUE).put({"article": "taken"})
            channel = cast(Channel, connection.default_channel)
            raw = channel.client.rpop(QUEUE)
            assert raw is not None, "the message never reached its queue"
            payload = json.loads(raw)
            message = channel.Message(payload, channel=channel)
            tag = message.delivery_tag
            assert tag is not None

            stop_redis(settings, QUIET)
            restart = threading.Timer(DOWN_S, start_redis, args=(settings, QUIET))
            restart.start()
            try:
                channel.qos.append(message, tag)
            finally:
                restart.join()

            held = channel.client.hget(channel.unacked_key, tag)
            assert held is not None, "the taken message is not recorded as held"
            assert json.loads(held)[0] == payload
            assert channel.client.zscore(channel.unacked_index_key, tag) is not None
