package io.endostream.trainer.cli;

import io.endostream.trainer.publish.RegistryPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish an export (model.onnx + manifest.json) into a registry folder:",
                "<registry>/<name>/<version>/{model.onnx,manifest.json}. Checks the manifest and the ONNX SHA-256 first;",
                "versions are immutable (same file again is a no-op, another file under an existing version fails)."})
public class PublishCommand implements Callable<Integer> {

    @Option(names = "--export", required = true, description = "Folder written by 'export'.")
    Path export;

    @Option(names = "--registry", required = true, description = "Registry root folder.")
    Path registry;

    @Override
    public Integer call() {
        RegistryPublisher.Published p = RegistryPublisher.publish(export, registry);
        System.out.println((p.alreadyPresent() ? "already published: " : "published: ") + p.name() + ":" + p.version()
                + " -> " + p.folder() + " (sha256 " + p.sha256() + ")");
        return 0;
    }
}
