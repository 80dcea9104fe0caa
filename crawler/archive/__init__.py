"""Raw article responses kept as WARC, for replaying extraction without re-crawling."""

from crawler.archive.warc import ArchivedResponse, WarcArchive, read_responses, warc_directory

__all__ = ["ArchivedResponse", "WarcArchive", "read_responses", "warc_directory"]
