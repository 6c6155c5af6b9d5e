package io.stagewise.trainer.interop;

/**
 * Where one Hugging Face tensor lives in a Stagewise model: rows {@code [fromRow, toRow)} of the named
 * parameter (the whole parameter when {@code fromRow} is negative), transposed or not. One list of these serves
 * export and import, so the two are inverse by construction.
 *
 * @param parameter the Stagewise parameter name
 * @param fromRow first row of the slice, or -1 for the whole parameter
 * @param toRow end of the slice (exclusive)
 * @param hfName the tensor's name in {@code model.safetensors}
 * @param transposed whether the file holds the slice as [in, out] (GPT-2's Conv1D) rather than [out, in]
 */
public record TensorMapping(String parameter, long fromRow, long toRow, String hfName, boolean transposed) {

  /** The whole parameter under another name. */
  public static TensorMapping whole(String parameter, String hfName) {
    return new TensorMapping(parameter, -1, -1, hfName, false);
  }

  /** The whole matrix, stored transposed. */
  public static TensorMapping transposed(String parameter, String hfName) {
    return new TensorMapping(parameter, -1, -1, hfName, true);
  }

  /** Rows of a parameter (e.g. the query part of a fused projection). */
  public static TensorMapping rows(String parameter, long fromRow, long toRow, String hfName) {
    return new TensorMapping(parameter, fromRow, toRow, hfName, false);
  }

  /** The Hugging Face tensor, cut and turned from the Stagewise parameter. */
  HostTensor toHf(HostTensor parameterValue) {
    HostTensor part = fromRow < 0 ? parameterValue : parameterValue.rows(fromRow, toRow);
    return transposed ? part.transposed() : part;
  }

  /** The Stagewise part (rows of the parameter) a Hugging Face tensor holds. */
  HostTensor fromHf(HostTensor hfValue) {
    return transposed ? hfValue.transposed() : hfValue;
  }

  /** The shape the Hugging Face tensor must have, given the parameter's. */
  long[] hfShape(long[] parameterShape) {
    long[] shape = parameterShape.clone();
    if (fromRow >= 0) {
      shape[0] = toRow - fromRow;
    }
    return transposed ? new long[] {shape[1], shape[0]} : shape;
  }
}
