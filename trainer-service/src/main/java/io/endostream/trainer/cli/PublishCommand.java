package io.endostream.trainer.cli;

import io.endostream.trainer.publish.GatewayPublisher;
import io.endostream.trainer.publish.RegistryPublisher;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish an export (model.onnx + manifest.json), after checking the manifest and the ONNX SHA-256:",
                "--gateway URL: register it with the gateway's model registry (POST URL/api/models, operator token);",
                "  prints the registered version and SHA-256; a refusal prints the gateway's message and exits 2.",
                "--registry DIR: copy it into <registry>/<name>/<version>/{model.onnx,manifest.json}; versions are",
                "  immutable (same file again is a no-op, another file under an existing version fails)."})
public class PublishCommand implements Callable<Integer> {

    /** The token variable read when no --token-file is given. */
    static final String TOKEN_VARIABLE = "ENDOSTREAM_TOKEN";

    @Spec
    CommandSpec spec;

    @Option(names = "--export", required = true, description = "Folder written by 'export'.")
    Path export;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static class Target {
        @Option(names = "--registry", required = true, description = "Registry root folder.")
        Path registry;

        @Option(names = "--gateway", required = true, description = "Gateway base URL, e.g. http://localhost:8080.")
        URI gateway;
    }

    @Option(names = "--token-file", description = "File holding a bearer token with the operator role (default: the environment variable " + TOKEN_VARIABLE + ").")
    Path tokenFile;

    @Option(names = "--timeout-seconds", defaultValue = "300", description = "Connect and read timeout with --gateway (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        if (target.gateway == null) {
            RegistryPublisher.Published p = RegistryPublisher.publish(export, target.registry);
            spec.commandLine().getOut().println((p.alreadyPresent() ? "already published: " : "published: ") + p.name()
                    + ":" + p.version() + " -> " + p.folder() + " (sha256 " + p.sha256() + ")");
            return 0;
        }
        try {
            GatewayPublisher.Registered r = GatewayPublisher.publish(export, target.gateway, token(),
                    Duration.ofSeconds(timeoutSeconds));
            spec.commandLine().getOut().printf(Locale.ROOT, "registered %s:%s with %s (sha256 %s, %d bytes)%n",
                    r.name(), r.version(), target.gateway, r.sha256(), r.sizeBytes());
            spec.commandLine().getOut().println("version: " + r.modelUri());
            return 0;
        } catch (GatewayPublisher.RefusedException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
    }

    private String token() {
        if (tokenFile == null) {
            return System.getenv(TOKEN_VARIABLE);
        }
        try {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("--token-file " + tokenFile + " cannot be read: " + e.getMessage(), e);
        }
    }
}
