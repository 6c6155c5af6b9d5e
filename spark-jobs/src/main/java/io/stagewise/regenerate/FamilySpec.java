package io.stagewise.regenerate;

import io.stagewise.data.build.AttackerTemplate;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.sweep.spec.DataSource;
import java.util.List;

/**
 * A dataset family ({@code data regenerate}), validated by {@link FamilySpecReader}: where its clean datasets
 * come from, the attackers applied to them and how they are tokenized, published together as one versioned
 * set. The data, attacker, tokenizer and truncation sections are a sweep's, read by the sweep's readers.
 *
 * @param name the family's name (messages, manifests)
 * @param output the set's root URI: members are read at {@code output/<member>}
 * @param work where the steps' content-addressed artifacts are kept between runs
 * @param data the clean source: the synthetic world, real sources imported, or published datasets
 * @param attackers every attacker with its fixed budget; none of a stage leaves that stage's set clean
 * @param seed the attackers' selection seed (a sweep's grid seed)
 * @param tokenizer the tokenizer of the token members
 * @param truncation sequence limits of the token members
 * @param keepVersions published versions kept (the current one among them)
 */
public record FamilySpec(String name, String output, String work, DataSource data, List<AttackerTemplate> attackers,
    long seed, TokenizerSpec tokenizer, TruncationPolicy truncation, int keepVersions) {

  /** Where {@link #work} is when the spec does not say: a hidden folder of the set's root, which readers skip. */
  public static final String DEFAULT_WORK = "_steps";

  public FamilySpec {
    attackers = List.copyOf(attackers);
  }

  /** Where {@link #work} is for the set at {@code output} when the spec does not say. */
  public static String defaultWork(String output) {
    return output.replaceAll("/+$", "") + "/" + DEFAULT_WORK;
  }

  /**
   * Whether the work directory is the family's own (the default): only then are its unused steps pruned, as
   * a directory the spec names may hold other families' or a sweep's stages.
   */
  public boolean ownsWork() {
    return work.equals(defaultWork(output));
  }

  /** The files and datasets the family reads, under their spec fields. */
  public InputPaths inputs() {
    return data.inputs().add("tokenizer.path", tokenizer.path());
  }
}
