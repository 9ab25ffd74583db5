package io.endostream.contracts.frame;

import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NotBlank;
import net.jqwik.api.constraints.Size;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class FrameCodecPropertiesTest {

    @Property(tries = 300)
    void encodeDecodeRoundTrips(@ForAll("streamIds") String streamId, @ForAll @NotBlank String frameId,
                                @ForAll long sequence, @ForAll long captureTime, @ForAll("format") ImageFormat format) {
        byte[] image = format == ImageFormat.JPEG ? new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1}
                : format == ImageFormat.PNG ? new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1}
                : new byte[2 * 3 * 3];
        int width = format == ImageFormat.RAW_BGR24 ? 2 : 0;
        int height = format == ImageFormat.RAW_BGR24 ? 3 : 0;
        Frame frame = new Frame(streamId, frameId, sequence, captureTime, format, width, height, image);

        WireRecord record = FrameCodec.encode(frame);
        Frame decoded = FrameCodec.decode(record.key(), record.value(), record.headers(), Topics.FRAMES, 3, 77, 0);

        assertEquals(frame, decoded);
    }

    /** Whatever arrives, decode returns a frame or names a dead-letter reason: nothing else escapes. */
    @Property(tries = 500)
    void arbitraryRecordsDecodeOrFailWithAReason(@ForAll @Size(max = 12) byte[] key, @ForAll @Size(max = 40) byte[] value,
                                                 @ForAll("headers") Map<String, byte[]> headers,
                                                 @ForAll @IntRange(min = 0, max = 64) int maxBytes) {
        try {
            Frame frame = FrameCodec.decode(key, value, headers, Topics.FRAMES, 0, 1, 2, maxBytes);
            assertNotNull(frame.streamId());
        } catch (MalformedRecordException e) {
            assertNotNull(e.reason());
            assertNotNull(e.detail());
        }
    }

    @Provide
    Arbitrary<String> streamIds() {
        Arbitrary<Character> first = Arbitraries.chars().alpha().numeric();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars('.', '_', '~', '-').ofMaxLength(127);
        return net.jqwik.api.Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    @Provide
    Arbitrary<ImageFormat> format() {
        return Arbitraries.of(ImageFormat.class);
    }

    @Provide
    Arbitrary<Map<String, byte[]>> headers() {
        Arbitrary<String> names = Arbitraries.of("content-type", "ce_sequence", "ce_capturetime", "ce_width",
                "ce_height", "ce_frameid", "ce_time", "ce_type", "x-other");
        Arbitrary<byte[]> values = Arbitraries.oneOf(
                Arbitraries.of("image/jpeg", "image/png", "application/x-raw-bgr24", "image/gif", "2", "-1", "x", "")
                        .map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(6));
        return Arbitraries.maps(names, values).ofMaxSize(5);
    }
}
