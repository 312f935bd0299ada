package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/** salesplay-mock's image as a test dependency, with Testcontainers for Java (JUnit 5). */
@Testcontainers
class SalesPlayMockTest {
    @Container
    static final GenericContainer<?> SALESPLAY =
            new GenericContainer<>(DockerImageName.parse(System.getenv().getOrDefault("SALESPLAY_MOCK_IMAGE", "salesplay-mock")))
                    .withExposedPorts(8080)
                    .withCommand("serve", "--clock", "manual", "--db", ":memory:")
                    .waitingFor(Wait.forHttp("/healthz").forPort(8080)
                            .forResponsePredicate(body -> body.contains("\"ready\": true")));

    private final HttpClient http = HttpClient.newHttpClient();

    private String call(String method, String path, String json) throws Exception {
        String base = "http://" + SALESPLAY.getHost() + ":" + SALESPLAY.getMappedPort(8080);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer testcontainers")
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 300, method + " " + path + ": " + response.body());
        return response.body();
    }

    @Test
    void aSaleIsDeliveredToAWebhookInsideTheContainer() throws Exception {
        call("POST", "/v1.0/webhook", "{\"url\": \"http://127.0.0.1:8080/_mock/sink/tc\", \"event\": \"receipts.update\"}");
        call("POST", "/_mock/events", "{\"operation\": \"sale\"}");
        String delivered = call("GET", "/_mock/deliveries?status=succeeded&event_type=receipts.update", null);
        assertEquals(1, delivered.split("\"kind\": \"event\"", -1).length - 1, delivered);
    }
}
