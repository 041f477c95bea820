"""GraphQL at /graphql (strawberry): the advisor dashboards' API over the same read models as REST."""
