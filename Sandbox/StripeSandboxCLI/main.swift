print("stripe-sandbox")
