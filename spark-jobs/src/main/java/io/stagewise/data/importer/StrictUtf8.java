package io.stagewise.data.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * UTF-8 decoding of input files that never substitutes silently. Java's readers (and Hadoop's
 * {@code Text}) turn invalid bytes into U+FFFD without a word, which would import damaged text as if it
 * were data; here every substitution is remembered so that the row holding it is rejected with the byte
 * offset. A genuine U+FFFD written in the file is valid UTF-8 and passes.
 */
final class StrictUtf8 {
  private StrictUtf8() {}

  /**
   * Decoded bytes.
   *
   * @param text the text, with U+FFFD where bytes were invalid (kept only as the rejected row's raw text)
   * @param badByte offset of the first invalid byte within the decoded bytes, or -1 when all were valid
   */
  record Decoded(String text, long badByte) {
    boolean valid() {
      return badByte < 0;
    }

    /** The rejection reason for an invalid line. */
    String problem() {
      return "invalid UTF-8 at byte " + badByte + " of the line";
    }
  }

  /** Decodes {@code length} bytes of {@code bytes} from {@code offset}. */
  static Decoded decode(byte[] bytes, int offset, int length) {
    CharsetDecoder decoder = strictDecoder();
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    CharBuffer out = CharBuffer.allocate(length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      decoder.flush(out);
      return new Decoded(out.flip().toString(), -1);
    }
    long bad = in.position() - offset;
    return new Decoded(new String(bytes, offset, length, StandardCharsets.UTF_8), bad);
  }

  static CharsetDecoder strictDecoder() {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /**
   * A reader over UTF-8 bytes that puts U+FFFD for each invalid sequence and records where: the character
   * offset in the decoded text (to find the element holding it) and the byte offset in the file (to say
   * where it is).
   */
  static final class TrackingReader extends Reader {
    private final InputStream in;
    private final CharsetDecoder decoder = strictDecoder();
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
    private final List<long[]> invalid = new ArrayList<>();
    private long charsOut;
    private long bytesConsumed;
    private boolean eof;
    private boolean pendingReplacement;
    private boolean flushed;

    TrackingReader(InputStream in) {
      this.in = in;
    }

    /** Character offsets in the decoded text where invalid bytes were replaced, ascending. */
    boolean anyInvalidBetween(long fromChar, long toChar) {
      return firstInvalidBetween(fromChar, toChar) >= 0;
    }

    /** The file byte offset of the first invalid sequence decoded at a char offset in [from, to], or -1. */
    long firstInvalidBetween(long fromChar, long toChar) {
      for (long[] at : invalid) {
        if (at[0] >= fromChar && at[0] <= toChar) {
          return at[1];
        }
      }
      return -1;
    }

    /** Forgets substitutions before {@code fromChar}, to keep memory bounded on long files. */
    void forgetBefore(long fromChar) {
      invalid.removeIf(at -> at[0] < fromChar);
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (flushed && !pendingReplacement) {
        return -1; // a decoder cannot decode again once flushed (found by ParserFuzzTest#jsonArray)
      }
      CharBuffer out = CharBuffer.wrap(buffer, offset, length);
      if (pendingReplacement) {
        out.put('\uFFFD');
        pendingReplacement = false;
      }
      while (true) {
        int before = bytes.position();
        CoderResult result = decoder.decode(bytes, out, eof);
        bytesConsumed += bytes.position() - before;
        if (result.isError()) {
          invalid.add(new long[] {charsOut + (out.position() - offset), bytesConsumed});
          bytes.position(bytes.position() + result.length());
          bytesConsumed += result.length();
          if (out.hasRemaining()) {
            out.put('\uFFFD');
          } else {
            pendingReplacement = true;
          }
          continue;
        }
        if (result.isOverflow()) {
          break;
        }
        if (eof) {
          flushed = decoder.flush(out).isUnderflow();
          break;
        }
        if (out.position() > offset) {
          break; // return what is decoded rather than wait for more input
        }
        fill();
      }
      int read = out.position() - offset;
      charsOut += read;
      return read == 0 ? -1 : read;
    }

    /** Moves unread bytes to the front and reads more, noting the end of the input. */
    private void fill() throws IOException {
      bytes.compact();
      int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
      if (n < 0) {
        eof = true;
      } else {
        bytes.position(bytes.position() + n);
      }
      bytes.flip();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
