"""The catalog app's GraphQL API: types, inputs, queries, mutations. Only this layer imports strawberry."""
