package io.stagewise.sweep.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code sft-rm-ppo} report's answer, per total budget: are the two attackers <em>complementary</em>, i.e.
 * does poisoning both stages (the best interior {@code alpha}) plant a backdoor that neither the reward-model
 * attacker alone ({@code alpha = 0}) nor the SFT attacker alone ({@code alpha = 1}) plants, and beyond clean? Three
 * {@link CellComparison}s of ASR with the trigger, each {@link HierarchicalBootstrap}'s paired two-level test:
 * both minus RM alone, both minus SFT alone, and both minus clean (a total-0 cell when the grid has one, else the
 * best interior cell's own rate without the trigger, the false activation). "Complementary" needs all three 95 %
 * intervals above zero, an intersection-union test, so no multiplicity correction is due; fewer than two shared
 * seeds make no claim.
 */
public final class ComplementarityVerdict {

  /** How one total came out. */
  public enum Outcome {
    COMPLEMENTARY("the attackers were complementary: both stages together beat each stage alone and clean"),
    NOT_SHOWN("complementarity not shown"),
    ONE_SEED("no claim: the cells share only one seed"),
    NOT_TESTABLE("the grid lacks an interior alpha, alpha 0 or alpha 1");

    final String words;

    Outcome(String words) {
      this.words = words;
    }
  }

  /** One total's three comparisons and their outcome. */
  public record Comparison(double total, Outcome outcome, CellComparison rmOnly, CellComparison sftOnly,
      CellComparison clean, boolean cleanIsFalseActivation) {}

  private ComplementarityVerdict() {}

  public static List<Comparison> compare(List<GridCell> cells) {
    List<GridCell> cleanCells = cells.stream().filter(c -> c.total() == 0).toList();
    List<Comparison> out = new ArrayList<>();
    CellComparison.byTotal(cells).forEach((total, group) -> {
      if (total == 0) {
        return;
      }
      List<GridCell> both = group.stream().filter(c -> !c.isEndpoint()).toList();
      CellComparison rmOnly = CellComparison.ofAsr(both, group.stream().filter(c -> c.alpha() == 0).toList());
      CellComparison sftOnly = CellComparison.ofAsr(both, group.stream().filter(c -> c.alpha() == 1).toList());
      boolean untriggered = cleanCells.isEmpty();
      CellComparison clean = untriggered
          ? CellComparison.of(both, both, GridCell::falseActivationSamples, GridCell::falseActivation)
          : CellComparison.ofAsr(both, cleanCells);
      List<CellComparison> all = List.of(rmOnly, sftOnly, clean);
      Outcome outcome = all.stream().anyMatch(c -> c.direction() == CellComparison.Direction.NOT_TESTABLE)
          ? Outcome.NOT_TESTABLE
          : all.stream().anyMatch(c -> !c.isClaim()) ? Outcome.ONE_SEED
          : all.stream().allMatch(c -> c.direction() == CellComparison.Direction.HIGHER) ? Outcome.COMPLEMENTARY
          : Outcome.NOT_SHOWN;
      out.add(new Comparison(total, outcome, rmOnly, sftOnly, clean, untriggered));
    });
    return out;
  }

  /** One paragraph: the finding per total, each comparison's numbers, and the test's name. */
  public static String paragraph(List<Comparison> comparisons) {
    StringBuilder text = new StringBuilder("Complementarity: does poisoning both the SFT data and the reward model's"
        + " data plant a backdoor that neither attacker plants alone? ");
    for (Comparison c : comparisons) {
      text.append(String.format("At total %s, %s", SplitVerdict.number(c.total()), c.outcome().words));
      if (c.outcome() != Outcome.NOT_TESTABLE) {
        text.append(String.format(" (both, alpha %s: ASR %s; ", SplitVerdict.number(c.rmOnly().best().alpha()),
            c.rmOnly().best().asr().format(true)));
        text.append(part("RM attacker alone, alpha 0", c.rmOnly())).append("; ")
            .append(part("SFT attacker alone, alpha 1", c.sftOnly())).append("; ")
            .append(part(c.cleanIsFalseActivation() ? "the same model without the trigger" : "clean, total 0",
                c.clean())).append(')');
      }
      text.append(". ");
    }
    text.append("Test: ").append(CellComparison.testDescription("the best interior ASR minus each reference"))
        .append("; each reference is beaten when its 95 % interval excludes zero, and complementarity needs all"
            + " three.");
    return text.toString();
  }

  private static String part(String name, CellComparison c) {
    return String.format("vs %s: %s, %s, %s", name, c.referenceValue().format(true), c.direction().name()
        .toLowerCase(java.util.Locale.ROOT).replace('_', ' '), c.numbers());
  }
}
