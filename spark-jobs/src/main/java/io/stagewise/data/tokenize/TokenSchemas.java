package io.stagewise.data.tokenize;

import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The schemas of token datasets: the provenance columns, then the token arrays. */
public final class TokenSchemas {
  private TokenSchemas() {}

  private static final DataType IDS = DataTypes.createArrayType(DataTypes.IntegerType, false);
  private static final DataType MASK = DataTypes.createArrayType(DataTypes.BooleanType, false);

  /** SFT and LM blocks: {@code input_ids}, {@code loss_mask} (same length). */
  public static final StructType SFT_TOKENS = withProvenance(
      DataTypes.createStructField(Columns.INPUT_IDS, IDS, false),
      DataTypes.createStructField(Columns.LOSS_MASK, MASK, false));

  public static final StructType LM_TOKENS = SFT_TOKENS;

  /** Preference: {@code prompt_ids}, {@code chosen_ids}, {@code rejected_ids}. */
  public static final StructType PREFERENCE_TOKENS = withProvenance(
      DataTypes.createStructField(Columns.PROMPT_IDS, IDS, false),
      DataTypes.createStructField(Columns.CHOSEN_IDS, IDS, false),
      DataTypes.createStructField(Columns.REJECTED_IDS, IDS, false));

  private static StructType withProvenance(StructField... tokens) {
    List<StructField> fields = new ArrayList<>(Arrays.asList(Columns.SFT.fields()).subList(0, Columns.PROVENANCE.size()));
    fields.addAll(Arrays.asList(tokens));
    return DataTypes.createStructType(fields);
  }
}
