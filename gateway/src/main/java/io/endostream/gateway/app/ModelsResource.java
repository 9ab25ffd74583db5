package io.endostream.gateway.app;

import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.gateway.core.ApiException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** The model registry API. Reads need the role {@code viewer} (or {@code operator}), changes {@code operator}. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "jwt")
public class ModelsResource {

    /** Body of a deprecation. */
    public record Reason(String reason) {
    }

    @Inject
    GatewayService service;

    @Inject
    SecurityIdentity identity;

    @POST
    @Path("/models")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @RolesAllowed("operator")
    @Operation(summary = "Register a model version: multipart parts 'manifest' (JSON) and 'model' (ONNX file). "
            + "The SHA-256 is computed, the graph checked against the manifest; versions are immutable.")
    public Response register(@RestForm("manifest") FileUpload manifest, @RestForm("model") FileUpload model) {
        byte[] manifestBytes;
        try {
            manifestBytes = manifest == null ? null : Files.readAllBytes(manifest.uploadedFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelVersionRecord record = service.core().registry().register(manifestBytes,
                model == null ? null : model.uploadedFile(), who());
        return Response.status(201).entity(record).build();
    }

    @GET
    @Path("/models")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Every registered model version")
    public List<ModelVersionRecord> list() {
        return service.core().registry().list();
    }

    @GET
    @Path("/models/{name}/{version}")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "One model version: manifest, size, status, who registered it")
    public ModelVersionRecord get(@PathParam("name") String name, @PathParam("version") String version) {
        return service.core().registry().require(new ModelRef(name, version));
    }

    @GET
    @Path("/models/{name}/{version}/manifest.json")
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "The manifest of a version, as inference services read it (onnxSha256 included)")
    public Response manifest(@PathParam("name") String name, @PathParam("version") String version) {
        return Response.ok(service.core().registry().require(new ModelRef(name, version)).manifest().toJson()).build();
    }

    @GET
    @Path("/models/{name}/{version}/model.onnx")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Download the ONNX file of a version")
    public Response download(@PathParam("name") String name, @PathParam("version") String version) {
        return artifact(service.core().registry().require(new ModelRef(name, version)).sha256());
    }

    @GET
    @Path("/artifacts/{sha256}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed({"viewer", "operator"})
    @Operation(summary = "Download an artifact by its SHA-256 (content-addressed)")
    public Response artifact(@PathParam("sha256") String sha256) {
        java.nio.file.Path file = service.core().registry().store().path(sha256);
        if (!Files.isRegularFile(file) || !service.core().registry().knowsArtifact(sha256)) {
            throw ApiException.notFound("no registered artifact has SHA-256 " + sha256);
        }
        return Response.ok(file.toFile(), MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + sha256 + ".onnx\"")
                .header("Digest", "sha-256=" + sha256).build();
    }

    @POST
    @Path("/models/{name}/{version}/deprecate")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("operator")
    @Operation(summary = "Deprecate a version: it keeps the streams already on it but cannot be rolled out again")
    public ModelVersionRecord deprecate(@PathParam("name") String name, @PathParam("version") String version,
                                        String body) {
        return service.core().registry().deprecate(new ModelRef(name, version), DeploymentsResource.reason(body),
                who());
    }

    private String who() {
        return identity.getPrincipal().getName();
    }
}
