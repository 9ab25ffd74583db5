package io.endostream.contracts.frame;

import io.endostream.contracts.TestImages;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ImageFormatTest {

    @Test
    void sniffsRealJpegAndPngBytes() {
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.sniff(TestImages.jpeg(8, 8)));
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.sniff(TestImages.png(8, 8)));
    }

    @Test
    void sniffFindsNothingInOtherOrShortBytes() {
        assertEquals(Optional.empty(), ImageFormat.sniff(new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0}));
        assertEquals(Optional.empty(), ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8}));
        assertEquals(Optional.empty(), ImageFormat.sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        assertEquals(Optional.empty(), ImageFormat.sniff(new byte[0]));
        assertEquals(Optional.empty(), ImageFormat.sniff(null));
    }

    @Test
    void contentTypeIsCaseInsensitiveAndIgnoresParameters() {
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.fromContentType("IMAGE/JPEG"));
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.fromContentType("image/jpg"));
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromContentType(" image/png ; q=0.9"));
        assertEquals(Optional.of(ImageFormat.RAW_BGR24), ImageFormat.fromContentType("application/x-raw-bgr24"));
        assertEquals(Optional.empty(), ImageFormat.fromContentType("image/gif"));
        assertEquals(Optional.empty(), ImageFormat.fromContentType(null));
    }

    @Test
    void contentTypesAreTheWireValues() {
        assertEquals("image/jpeg", ImageFormat.JPEG.contentType());
        assertEquals("image/png", ImageFormat.PNG.contentType());
        assertEquals("application/x-raw-bgr24", ImageFormat.RAW_BGR24.contentType());
    }
}
