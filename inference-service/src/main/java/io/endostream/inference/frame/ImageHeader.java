package io.endostream.inference.frame;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.frame.ImageFormat;

/**
 * Width and height read from an encoded image's header, before any pixel is decoded: the guard against
 * decompression bombs (a few kilobytes of PNG or JPEG can claim gigapixels) and the input for choosing a
 * reduced-scale JPEG decode. Also checks that the file is complete (a JPEG's marker structure reaches EOI; a PNG
 * ends with IEND), because decoders quietly return a grey-padded picture for a truncated JPEG.
 */
public record ImageHeader(int width, int height) {

    private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

    public long pixels() {
        return (long) width * height;
    }

    /** Reads the header of a JPEG or PNG; throws {@link MalformedRecordException} CORRUPT_IMAGE when it is unreadable. */
    public static ImageHeader read(ImageFormat format, byte[] image) {
        return switch (format) {
            case JPEG -> jpeg(image);
            case PNG -> png(image);
            case RAW_BGR24 -> throw new IllegalArgumentException("raw frames carry their size in headers");
        };
    }

    static ImageHeader png(byte[] b) {
        // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4)
        if (b.length < 33 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw corrupt("PNG has no IHDR chunk");
        }
        long width = u32(b, 16);
        long height = u32(b, 20);
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw corrupt("PNG header claims " + width + "x" + height);
        }
        if (!endsWith(b, PNG_IEND)) {
            throw corrupt("PNG is truncated: no IEND chunk at the end (" + b.length + " bytes)");
        }
        return new ImageHeader((int) width, (int) height);
    }

    /**
     * Walks the JPEG's marker structure (segments by their lengths, entropy-coded scan data up to the next real
     * marker) from SOI to EOI: the size comes from the frame header (SOF), completeness from reaching EOI. Bytes
     * after EOI (vendor trailers, padding) are ignored, as libjpeg does; a file that ends before EOI is truncated.
     */
    static ImageHeader jpeg(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            throw corrupt("JPEG has no start-of-image marker");
        }
        int i = 2;
        ImageHeader found = null;
        while (i + 1 < b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                throw corrupt("JPEG marker expected at byte " + i);
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0xD9) { // EOI
                if (found == null) {
                    break;
                }
                return found;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
                i += 2;
                continue;
            }
            if (i + 3 >= b.length) {
                break;
            }
            int length = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            if (length < 2) {
                throw corrupt("JPEG segment at byte " + i + " has length " + length);
            }
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 8 >= b.length) {
                    break;
                }
                int height = ((b[i + 5] & 0xFF) << 8) | (b[i + 6] & 0xFF);
                int width = ((b[i + 7] & 0xFF) << 8) | (b[i + 8] & 0xFF);
                if (width == 0 || height == 0) {
                    throw corrupt("JPEG frame header claims " + width + "x" + height);
                }
                found = new ImageHeader(width, height);
            }
            i += 2 + length;
            if (marker == 0xDA) { // start of scan: entropy-coded data follows the header
                if (found == null) {
                    throw corrupt("JPEG has no frame header (SOF) before its scan data (" + b.length + " bytes)");
                }
                i = endOfScan(b, i);
            }
        }
        if (found == null) {
            throw corrupt("JPEG has no frame header (SOF) before its scan data (" + b.length + " bytes)");
        }
        throw corrupt("JPEG is truncated: no end-of-image marker (" + b.length + " bytes)");
    }

    /** Index of the first marker after entropy-coded data starting at {@code i} (stuffed FF00 and RSTn are data). */
    private static int endOfScan(byte[] b, int i) {
        while (i + 1 < b.length) {
            if ((b[i] & 0xFF) == 0xFF) {
                int next = b[i + 1] & 0xFF;
                if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                    i += 2;
                    continue;
                }
                if (next != 0xFF) {
                    return i;
                }
            }
            i++;
        }
        return b.length;
    }

    private static boolean endsWith(byte[] b, byte[] suffix) {
        if (b.length < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (b[b.length - suffix.length + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static MalformedRecordException corrupt(String detail) {
        return new MalformedRecordException(DeadLetterReason.CORRUPT_IMAGE, detail);
    }
}
