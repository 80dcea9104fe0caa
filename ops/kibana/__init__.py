"""Kibana saved objects for analysts (data view, saved searches, dashboard) and their import."""
