package io.stagewise.trainer.interop;

/**
 * The ids {@code config.json} names: beginning and end of sequence and padding, each null when unknown (a
 * checkpoint alone does not say which tokenizer it was trained with). {@code …ForSequenceClassification} needs
 * the padding id to find each row's last real token when it scores a batch.
 */
public record TokenRoles(Integer bos, Integer eos, Integer pad) {

  public static final TokenRoles UNKNOWN = new TokenRoles(null, null, null);
}
