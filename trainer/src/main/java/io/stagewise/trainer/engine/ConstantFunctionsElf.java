package io.stagewise.trainer.engine;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes of a minimal x86-64 ELF shared object whose exported functions each take no argument and return
 * the int 1 ({@code mov eax, 1; ret}). Written here rather than compiled so that no C toolchain is needed at
 * build or run time and every machine of a cluster gets the same library from the jar it already has.
 *
 * <p>Only what glibc's dynamic loader reads: the ELF header, program headers (a read-execute segment with the
 * symbol table, string table, SysV hash table and code; a read-write segment with the dynamic section, which
 * the loader relocates in place; a non-executable stack), and no section headers, relocations or dependencies.
 */
final class ConstantFunctionsElf {

  private static final int PAGE = 0x1000;
  private static final int ELF_HEADER = 64;
  private static final int PROGRAM_HEADER = 56;
  private static final int PROGRAM_HEADERS = 4;
  private static final int SYMBOL = 24;
  private static final byte[] RETURN_ONE = {(byte) 0xb8, 1, 0, 0, 0, (byte) 0xc3};
  private static final int FUNCTION_ALIGN = 16;

  private ConstantFunctionsElf() {
  }

  /** The shared object {@code soname} exporting each of {@code functions}, all returning 1. */
  static byte[] returningOne(String soname, List<String> functions) {
    ByteArrayOutputStream names = new ByteArrayOutputStream();
    names.write(0);
    int[] nameOffsets = new int[functions.size()];
    for (int i = 0; i < functions.size(); i++) {
      nameOffsets[i] = names.size();
      names.writeBytes((functions.get(i) + '\0').getBytes(StandardCharsets.US_ASCII));
    }
    int sonameOffset = names.size();
    names.writeBytes((soname + '\0').getBytes(StandardCharsets.US_ASCII));

    int symbols = functions.size() + 1; // entry 0 is the undefined symbol
    int hash = ELF_HEADER + PROGRAM_HEADER * PROGRAM_HEADERS;
    int hashSize = 4 * (2 + 1 + symbols); // one bucket: every name hashes into it, the chain links them all
    int symtab = hash + hashSize;
    int strtab = symtab + SYMBOL * symbols;
    int text = align(strtab + names.size(), FUNCTION_ALIGN);
    int textEnd = text + FUNCTION_ALIGN * functions.size();
    int dynamic = align(textEnd, PAGE);
    long[][] dynamicEntries = {
        {4, hash}, {5, strtab}, {6, symtab}, {10, names.size()}, {11, SYMBOL}, {14, sonameOffset}, {0, 0}};
    int dynamicSize = 16 * dynamicEntries.length;

    ByteBuffer out = ByteBuffer.allocate(dynamic + dynamicSize).order(ByteOrder.LITTLE_ENDIAN);
    header(out);
    programHeader(out, 1, 5, 0, textEnd, PAGE); // PT_LOAD, read + execute
    programHeader(out, 1, 6, dynamic, dynamicSize, PAGE); // PT_LOAD, read + write
    programHeader(out, 2, 6, dynamic, dynamicSize, 8); // PT_DYNAMIC
    programHeader(out, 0x6474e551, 6, 0, 0, 16); // PT_GNU_STACK: without it glibc makes the stack executable

    out.position(hash);
    out.putInt(1).putInt(symbols).putInt(symbols > 1 ? 1 : 0);
    for (int i = 0; i < symbols; i++) {
      out.putInt(i == 0 || i + 1 == symbols ? 0 : i + 1); // chain: 1 -> 2 -> ... -> last -> end
    }
    out.position(symtab + SYMBOL); // entry 0 stays zero
    for (int i = 0; i < functions.size(); i++) {
      out.putInt(nameOffsets[i]).put((byte) 0x12).put((byte) 0); // STB_GLOBAL | STT_FUNC, default visibility
      out.putShort((short) 1); // any defined section index; the loader only tells defined from undefined
      out.putLong(text + (long) FUNCTION_ALIGN * i).putLong(RETURN_ONE.length);
    }
    out.position(strtab);
    out.put(names.toByteArray());
    for (int i = 0; i < functions.size(); i++) {
      out.position(text + FUNCTION_ALIGN * i);
      out.put(RETURN_ONE);
    }
    out.position(dynamic);
    for (long[] entry : dynamicEntries) {
      out.putLong(entry[0]).putLong(entry[1]);
    }
    return out.array();
  }

  private static void header(ByteBuffer out) {
    out.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0); // 64-bit, little-endian, System V
    out.putShort((short) 3).putShort((short) 62).putInt(1); // ET_DYN, EM_X86_64, EV_CURRENT
    out.putLong(0).putLong(ELF_HEADER).putLong(0).putInt(0); // no entry point, program headers, no sections
    out.putShort((short) ELF_HEADER).putShort((short) PROGRAM_HEADER).putShort((short) PROGRAM_HEADERS);
    out.putShort((short) 64).putShort((short) 0).putShort((short) 0);
  }

  /** One program header whose file offset equals its virtual address (the object is mapped as laid out). */
  private static void programHeader(ByteBuffer out, int type, int flags, long offset, long size, long align) {
    out.putInt(type).putInt(flags).putLong(offset).putLong(offset).putLong(offset);
    out.putLong(size).putLong(size).putLong(align);
  }

  private static int align(int value, int to) {
    return (value + to - 1) / to * to;
  }
}
