-- pagila's partitioned table `payment` (and its partitions) is not managed by autogen; the
-- views over it are. Dropped with what uses it, so the plans of the rest verify whole
-- (`autogen-bench plans --strip`). For pagila.pg15.sql and pagila_pre_pg18.sql.
DROP TABLE public.payment CASCADE;
