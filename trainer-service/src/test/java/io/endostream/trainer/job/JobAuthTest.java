package io.endostream.trainer.job;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The job API's rules, as the gateway's: reads need viewer or operator, changes operator (no token 401, a viewer's
 * change 403, a token from another issuer or key 401), and every path of a request stays under the roots (400
 * naming the field). Jobs submitted here fail at once (nothing to read), so no training runs.
 */
@QuarkusTest
@QuarkusTestResource(TrainerTestEnvironment.class)
class JobAuthTest {

    @TestHTTPResource("/jobs")
    URL jobs;

    @TestHTTPResource("/q/openapi")
    URL openapi;

    private static final Map<String, Object> EXPORT_OF_NOTHING = Map.of("type", "export", "options",
            Map.of("checkpoint", "no-such-run/checkpoints/best.zip", "model-version", "1"));

    @Test
    void withoutATokenEveryJobEndpointIs401() {
        given().get(jobs.toString()).then().statusCode(401);
        given().get(jobs + "/abc").then().statusCode(401);
        given().get(jobs + "/abc/events").then().statusCode(401);
        given().get(jobs + "/abc/history").then().statusCode(401);
        given().get(jobs + "/abc/samples.png").then().statusCode(401);
        given().get(jobs + "/abc/artifacts/model.onnx").then().statusCode(401);
        given().get(jobs + "/abc/artifacts/manifest.json").then().statusCode(401);
        given().contentType(ContentType.JSON).body(EXPORT_OF_NOTHING).post(jobs.toString()).then().statusCode(401);
        given().delete(jobs + "/abc").then().statusCode(401);
    }

    @Test
    void tokensFromAnotherIssuerOrKeyOrWithoutARoleAreRefused() throws Exception {
        String otherIssuer = Jwt.issuer("someone-else").upn("mallory").groups(Set.of("operator")).expiresIn(3600)
                .sign(KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate());
        given().auth().oauth2(otherIssuer).get(jobs.toString()).then().statusCode(401);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String otherKey = Jwt.issuer(TrainerTestEnvironment.ISSUER).upn("mallory").groups(Set.of("operator"))
                .expiresIn(3600).sign(generator.generateKeyPair().getPrivate());
        given().auth().oauth2(otherKey).get(jobs.toString()).then().statusCode(401);
        given().auth().oauth2(TrainerTestEnvironment.token("nobody", "guest")).get(jobs.toString()).then().statusCode(403);
    }

    @Test
    void aViewerReadsButCannotSubmitOrCancel() {
        String viewer = TrainerTestEnvironment.viewer();
        given().auth().oauth2(viewer).get(jobs.toString()).then().statusCode(200);
        given().auth().oauth2(viewer).get(jobs + "/abc").then().statusCode(404).body("error", containsString("abc"));
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(EXPORT_OF_NOTHING).post(jobs.toString())
                .then().statusCode(403);
        given().auth().oauth2(viewer).delete(jobs + "/abc").then().statusCode(403);
    }

    @Test
    void anOperatorSubmitsAndTheJobSaysWho() {
        String id = given().auth().oauth2(TrainerTestEnvironment.operator()).contentType(ContentType.JSON)
                .body(EXPORT_OF_NOTHING).post(jobs.toString()).then().statusCode(202)
                .body("submittedBy", equalTo("olga"))
                // the default output folder is <run-root>/<job id>
                .body("runDir", startsWith(TrainerTestEnvironment.runRoot().toString()))
                .extract().path("id");
        given().auth().oauth2(TrainerTestEnvironment.viewer()).get(jobs + "/" + id).then().statusCode(200)
                .body("submittedBy", equalTo("olga")).body("type", equalTo("export"));
    }

    @Test
    void pathsOutsideTheRootsAre400NamingTheField() throws Exception {
        Path outside = Files.createTempDirectory("outside-the-roots");
        String op = TrainerTestEnvironment.operator();
        refused(op, "finetune", Map.of("dataset", outside.toString()), "options.dataset");
        refused(op, "finetune", Map.of("dataset", "../../../etc"), "options.dataset");
        refused(op, "finetune", Map.of("dataset", "ok", "run-dir", outside.toString()), "options.run-dir");
        refused(op, "finetune", Map.of("dataset", "ok", "run-dir", "../escaped"), "options.run-dir");
        refused(op, "export", Map.of("checkpoint", "ok.zip", "model-version", "1", "out",
                TrainerTestEnvironment.dataRoot().resolve("x").toString()), "options.out");
        refused(op, "pretrain", Map.of("unlabelled", java.util.List.of("frames", outside.toString())), "options.unlabelled");
        refused(op, "evaluate", Map.of("checkpoint", "/etc/hostname", "dataset", "ok"), "options.checkpoint");
    }

    private void refused(String token, String type, Map<String, Object> options, String field) {
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("type", type, "options", options))
                .post(jobs.toString()).then().statusCode(400)
                .body("status", equalTo(400))
                .body("field", equalTo(field))
                .body("error", startsWith(field));
    }

    @Test
    void theOpenApiDocumentDeclaresTheBearerScheme() {
        given().accept(ContentType.JSON).get(openapi + "?format=json").then().statusCode(200)
                .body("components.securitySchemes", hasKey("jwt"))
                .body("components.securitySchemes.jwt.scheme", equalTo("bearer"))
                .body("paths.'/jobs/{id}/artifacts/model.onnx'.get.security", notNullValue())
                .body("paths.'/jobs/{id}/history'.get", notNullValue());
    }
}
