INSERT INTO bench_payments (id, order_id, status, amount) VALUES (gen_random_uuid(), gen_random_uuid(), 'REQUESTED', 4999);
