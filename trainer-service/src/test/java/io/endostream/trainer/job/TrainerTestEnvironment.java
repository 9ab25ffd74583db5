package io.endostream.trainer.job;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the trainer's Quarkus tests run against: a fresh data root and run root under {@code target/test-roots}, and
 * an RSA key pair generated for the run (the service verifies with the public key, tests sign with the private one,
 * as the gateway's tests do).
 */
public class TrainerTestEnvironment implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "endostream-test";
    private static final Path ROOTS = Path.of("target", "test-roots").toAbsolutePath();
    private static volatile PrivateKey privateKey;

    @Override
    public Map<String, String> start() {
        try {
            deleteRecursively(ROOTS);
            Files.createDirectories(dataRoot());
            Files.createDirectories(runRoot());
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            privateKey = pair.getPrivate();
            // the key itself, not a location: in test mode smallrye-jwt sets a generated in-memory key as the
            // default of mp.jwt.verify.publickey, which would win over a location
            return Map.of("mp.jwt.verify.publickey", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                    "mp.jwt.verify.issuer", ISSUER,
                    "endostream.trainer.data-roots", dataRoot().toString(),
                    "endostream.trainer.run-root", runRoot().toString());
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the trainer test environment", e);
        }
    }

    @Override
    public void stop() {
    }

    public static Path dataRoot() {
        return ROOTS.resolve("data");
    }

    public static Path runRoot() {
        return ROOTS.resolve("runs");
    }

    /** A bearer token for {@code user} with these roles (JWT "groups"), valid for an hour. */
    public static String token(String user, String... roles) {
        return Jwt.issuer(ISSUER).upn(user).groups(Set.of(roles)).expiresIn(3600).sign(privateKey);
    }

    public static String operator() {
        return token("olga", "operator");
    }

    public static String viewer() {
        return token("victor", "viewer");
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
