print("payment-service")
