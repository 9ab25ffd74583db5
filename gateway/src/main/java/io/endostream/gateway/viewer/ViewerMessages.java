package io.endostream.gateway.viewer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary WebSocket message carrying one frame with its mask(s) to the browser:
 * {@code [4-byte big-endian length n][n bytes of UTF-8 JSON header][frame image][mask PNG][shadow mask PNG]}; the
 * header gives each part's length and content type, the model, latencies and polyp area. Images are passed as they
 * came from Kafka (the browser decodes JPEG/PNG); raw BGR24 frames are encoded to JPEG first.
 */
public final class ViewerMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ViewerMessages() {
    }

    public static byte[] encode(PairMatcher.Pair pair, long nowMillis) {
        Frame frame = pair.frame();
        Mask mask = pair.mask();
        byte[] image = frame.image();
        String imageType = frame.format().contentType();
        if (frame.format() == ImageFormat.RAW_BGR24) {
            image = rawToJpeg(frame);
            imageType = "image/jpeg";
        }
        byte[] shadowPng = pair.shadow() == null ? new byte[0] : pair.shadow().png();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("type", pair.shadowUpdate() ? "shadow" : "pair");
        h.put("stream", frame.streamId());
        h.put("frameId", frame.frameId());
        h.put("sequence", frame.sequence());
        h.put("captureTime", frame.captureTimeMillis());
        h.put("serverDelayMs", nowMillis - frame.captureTimeMillis());
        h.put("frameType", imageType);
        h.put("frameBytes", image.length);
        h.put("maskBytes", mask.png().length);
        h.put("shadowBytes", shadowPng.length);
        h.put("mask", describe(mask));
        if (pair.shadow() != null) {
            h.put("shadow", describe(pair.shadow()));
        }
        byte[] header;
        try {
            header = JSON.writeValueAsBytes(h);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer out = ByteBuffer.allocate(4 + header.length + image.length + mask.png().length + shadowPng.length);
        out.putInt(header.length).put(header).put(image).put(mask.png()).put(shadowPng);
        return out.array();
    }

    /** Reads the JSON header of a message (tests). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> header(byte[] message) {
        int n = ByteBuffer.wrap(message).getInt();
        try {
            return JSON.readValue(new String(message, 4, n, StandardCharsets.UTF_8), Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Map<String, Object> describe(Mask m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", m.modelName());
        d.put("version", m.modelVersion());
        d.put("endToEndMs", m.endToEndMillis());
        d.put("inferenceMs", m.inferenceMillis());
        d.put("polypArea", m.polypAreaFraction());
        d.put("width", m.width());
        d.put("height", m.height());
        d.put("regions", m.regions());
        return d;
    }

    private static byte[] rawToJpeg(Frame frame) {
        BufferedImage img = new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(frame.image(), 0, pixels, 0, pixels.length); // both B,G,R rows top to bottom, no padding
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
