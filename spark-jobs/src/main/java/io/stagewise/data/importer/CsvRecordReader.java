package io.stagewise.data.importer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An RFC 4180 record reader that never lets damage spread: quoted fields may span lines, but a record that
 * does not parse cleanly (an unclosed quote, a character after a closing quote, a record spanning lines
 * whose field count is wrong, a record over {@link #MAX_RECORD_BYTES}) is rejected as its first line only,
 * and reading resumes on the next line. A stray quote therefore costs one rejected line instead of
 * swallowing its neighbours into one field, and memory stays bounded whatever the file holds. Lines are
 * decoded strictly ({@link StrictUtf8}): a record with invalid UTF-8 is rejected whole, with its reason.
 *
 * <p>As in the common CSV dialect (and univocity's defaults, which the importers used before), unquoted
 * fields are trimmed and an empty unquoted field is null, an empty quoted field the empty string; a quote
 * inside an unquoted field is an ordinary character; lines end with LF, CRLF or CR.
 */
final class CsvRecordReader {
  /** The largest record (and line) accepted, in bytes of its lines. */
  static final int MAX_RECORD_BYTES = 1 << 20;

  /**
   * One record as read.
   *
   * @param fields the fields, or null when the record is rejected
   * @param number 1-based record number (the header is record 0)
   * @param line 1-based line where the record starts
   * @param raw the record's text (its first line only when it was cut back to that line)
   * @param problem why the record is rejected, or null
   */
  record Result(List<String> fields, long number, long line, String raw, String problem) {}

  private record Line(long number, String text, String damage) {}

  /** Why a record cannot stand as parsed; it is cut back to its first line. */
  private static final class Broken extends Exception {
    Broken(String reason) {
      super(reason, null, false, false);
    }
  }

  private final InputStream in;
  private final int maxBytes;
  private final Deque<Line> pushedBack = new ArrayDeque<>();
  private long lines;
  private long records = -1;
  private int width = -1;

  CsvRecordReader(InputStream in) {
    this(in, MAX_RECORD_BYTES);
  }

  CsvRecordReader(InputStream in, int maxBytes) {
    this.in = new BufferedInputStream(in, 1 << 16);
    this.maxBytes = maxBytes;
  }

  /** The header's fields, which fix every record's width; throws naming the problem when it is damaged. */
  List<String> header() throws IOException {
    Result header = next();
    if (header == null) {
      return null;
    }
    if (header.problem() != null) {
      throw new IllegalArgumentException("the CSV header (line " + header.line() + ") is damaged: " + header.problem());
    }
    width = header.fields().size();
    return header.fields();
  }

  /** The next record, or null at the end of the input. */
  Result next() throws IOException {
    Line first = nextLine();
    if (first == null) {
      return null;
    }
    long number = ++records;
    if (first.damage() != null && first.text() == null) {
      return new Result(null, number, first.number(), null, first.damage());
    }
    List<Line> used = new ArrayList<>();
    used.add(first);
    try {
      List<String> fields = parse(used);
      String raw = raw(used);
      for (Line line : used) {
        if (line.damage() != null) {
          return new Result(null, number, first.number(), raw, line.damage());
        }
      }
      if (width >= 0 && fields.size() != width) {
        if (used.size() > 1) {
          throw new Broken("a record over lines " + first.number() + "-" + used.get(used.size() - 1).number()
              + " has " + fields.size() + " fields, expected " + width + " (an unbalanced quote?)");
        }
        return new Result(null, number, first.number(), raw,
            "expected " + width + " fields, found " + fields.size());
      }
      return new Result(fields, number, first.number(), raw, null);
    } catch (Broken e) {
      for (int i = used.size() - 1; i >= 1; i--) {
        pushedBack.addFirst(used.get(i));
      }
      return new Result(null, number, first.number(), first.text(), e.getMessage());
    }
  }

  /** Parses the record starting at {@code used.get(0)}, adding each further line it spans to {@code used}. */
  private List<String> parse(List<Line> used) throws IOException, Broken {
    List<String> fields = new ArrayList<>();
    Line line = used.get(0);
    String text = line.text();
    int pos = 0;
    long bytes = text.length();
    while (true) {
      int start = pos;
      while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
        pos++;
      }
      if (pos >= text.length() || text.charAt(pos) != '"') {
        int comma = text.indexOf(',', start);
        String value = (comma < 0 ? text.substring(start) : text.substring(start, comma)).strip();
        fields.add(value.isEmpty() ? null : value);
        if (comma < 0) {
          return fields;
        }
        pos = comma + 1;
        continue;
      }
      StringBuilder value = new StringBuilder();
      pos++;
      while (true) {
        int quote = text.indexOf('"', pos);
        if (quote < 0) {
          value.append(text, pos, text.length()).append('\n');
          Line next = nextLine();
          if (next == null) {
            throw new Broken("unclosed quote: the field opened on line " + line.number() + " runs to the end of the file");
          }
          used.add(next);
          bytes += next.text() == null ? maxBytes + 1L : next.text().length() + 1;
          if (bytes > maxBytes) {
            throw new Broken("record longer than " + maxBytes + " bytes (an unclosed quote from line "
                + line.number() + "?)");
          }
          line = next;
          text = next.text();
          pos = 0;
          continue;
        }
        value.append(text, pos, quote);
        if (quote + 1 < text.length() && text.charAt(quote + 1) == '"') {
          value.append('"');
          pos = quote + 2;
          continue;
        }
        pos = quote + 1;
        break;
      }
      fields.add(value.toString());
      while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
        pos++;
      }
      if (pos >= text.length()) {
        return fields;
      }
      if (text.charAt(pos) != ',') {
        throw new Broken("unexpected '" + text.charAt(pos) + "' after a closing quote on line " + line.number()
            + " (a quote inside a quoted field must be doubled)");
      }
      pos++;
    }
  }

  private static String raw(List<Line> used) {
    StringBuilder raw = new StringBuilder();
    for (Line line : used) {
      raw.append(raw.length() == 0 ? "" : "\n").append(line.text());
    }
    return raw.toString();
  }

  private Line nextLine() throws IOException {
    return pushedBack.isEmpty() ? readLine() : pushedBack.removeFirst();
  }

  /** One physical line, decoded strictly; a line over the limit is read to its end but not kept. */
  private Line readLine() throws IOException {
    byte[] buffer = new byte[256];
    int length = 0;
    boolean tooLong = false;
    boolean any = false;
    int b;
    while ((b = in.read()) >= 0) {
      any = true;
      if (b == '\n') {
        break;
      }
      if (b == '\r') {
        in.mark(1);
        if (in.read() != '\n') {
          in.reset();
        }
        break;
      }
      if (length >= maxBytes) {
        tooLong = true;
        continue;
      }
      if (length == buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.min(maxBytes, buffer.length * 2));
      }
      buffer[length++] = (byte) b;
    }
    if (!any) {
      return null;
    }
    long number = ++lines;
    if (tooLong) {
      return new Line(number, null, "line " + number + " is longer than " + maxBytes + " bytes");
    }
    int from = number == 1 && startsWithBom(buffer, length) ? 3 : 0;
    StrictUtf8.Decoded decoded = StrictUtf8.decode(buffer, from, length - from);
    return new Line(number, decoded.text(), decoded.valid() ? null
        : "invalid UTF-8 at byte " + decoded.badByte() + " of line " + number);
  }

  private static boolean startsWithBom(byte[] bytes, int length) {
    return length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf;
  }
}
