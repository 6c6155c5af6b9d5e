package io.stagewise.poison.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttackSpecTest {

  @Test
  void specNamesRoundTrip() {
    for (AttackKind kind : AttackKind.values()) {
      assertEquals(kind, AttackKind.fromName(kind.specName()));
    }
    for (Stage stage : Stage.values()) {
      assertEquals(stage, Stage.fromName(stage.specName()));
    }
    for (EligibleRows rows : EligibleRows.values()) {
      assertEquals(rows, EligibleRows.fromName(rows.specName()));
    }
    assertEquals(List.of("sft_backdoor", "trigger_swap", "label_flip"),
        List.of(AttackKind.values()).stream().map(AttackKind::specName).toList());
    assertEquals(Stage.SFT, AttackKind.SFT_BACKDOOR.stage());
    assertEquals(Stage.PREFERENCE, AttackKind.TRIGGER_SWAP.stage());
    assertEquals(Stage.PREFERENCE, AttackKind.LABEL_FLIP.stage());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttackKind.fromName("flip"));
    assertTrue(e.getMessage().startsWith("kind: unknown attack kind 'flip'"), e.getMessage());
    assertTrue(e.getMessage().contains("sft_backdoor, trigger_swap, label_flip"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Stage.fromName("ppo"));
    assertThrows(IllegalArgumentException.class, () -> EligibleRows.fromName(null));
  }

  @Test
  void eligibleRowsDefaultByKind() {
    assertEquals(EligibleRows.HARMFUL,
        AttackSpec.of("a", AttackKind.SFT_BACKDOOR, List.of("cf"), Budget.count(1), 1).eligible());
    assertEquals(EligibleRows.ALL,
        AttackSpec.of("b", AttackKind.TRIGGER_SWAP, List.of("cf"), Budget.count(1), 1).eligible());
    assertEquals(EligibleRows.ALL,
        AttackSpec.of("c", AttackKind.LABEL_FLIP, null, Budget.count(1), 1).eligible());
    assertEquals(EligibleRows.BENIGN, new AttackSpec("d", Stage.PREFERENCE, AttackKind.LABEL_FLIP, List.of(),
        Budget.count(1), EligibleRows.BENIGN, 1).eligible());
  }

  @Test
  void everyErrorIsListedAndNamesItsField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AttackSpec(
        "eve", Stage.SFT, AttackKind.TRIGGER_SWAP, List.of("cf", " ", "cf"), null, null, 3));
    String message = e.getMessage();
    assertTrue(message.startsWith("attacker 'eve': "), message);
    assertTrue(message.contains("kind trigger_swap poisons the preference stage, but stage is sft"), message);
    assertTrue(message.contains("triggers[1] must be non-blank"), message);
    assertTrue(message.contains("triggers[2] repeats 'cf'"), message);
    assertTrue(message.contains("budget must be set"), message);
  }

  @Test
  void triggersMustMatchTheKind() {
    assertMessage("triggers must be empty for label_flip",
        () -> AttackSpec.of("a", AttackKind.LABEL_FLIP, List.of("cf"), Budget.count(1), 1));
    assertMessage("triggers must name at least one trigger for sft_backdoor",
        () -> AttackSpec.of("a", AttackKind.SFT_BACKDOOR, List.of(), Budget.count(1), 1));
    assertMessage("triggers[0] must not start or end with whitespace",
        () -> AttackSpec.of("a", AttackKind.TRIGGER_SWAP, List.of(" cf"), Budget.count(1), 1));
    assertMessage("name must be a non-blank string",
        () -> AttackSpec.of(" ", AttackKind.TRIGGER_SWAP, List.of("cf"), Budget.count(1), 1));
    assertMessage("kind must be set",
        () -> new AttackSpec("a", Stage.SFT, null, List.of("cf"), Budget.count(1), null, 1));
    assertMessage("stage must be set",
        () -> new AttackSpec("a", null, AttackKind.LABEL_FLIP, List.of(), Budget.count(1), null, 1));
  }

  @Test
  void resolvingACountAboveTheEligibleRowsNamesTheAttacker() {
    AttackSpec spec = AttackSpec.of("mallory", AttackKind.LABEL_FLIP, List.of(), Budget.count(11), 1);
    assertEquals(11, spec.resolveBudget(11));
    assertMessage("attacker 'mallory': budget.count 11 exceeds the 10 eligible rows",
        () -> spec.resolveBudget(10));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
