"""Documents generated for users: the OpenAPI document, the Postman collection, and the catalogue of shop operations as both show it."""
